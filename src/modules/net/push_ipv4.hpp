// A device address (host byte order) pushed as the dotted quad scripts see.
#pragma once

#include <cstdint>

#include "core/ip/address.hpp"
#include "lua/lua.hpp"

namespace nodemcu_emu::net {

// From a plain array: lua_pushstring may raise (out of memory), and a longjmp would skip a
// std::string's destructor. Call it from a frame with no live C++ objects.
inline void push_ipv4(lua_State* L, std::uint32_t ip) {
  char text[16];
  format_ipv4(ip, text);
  lua_pushstring(L, text);
}

}  // namespace nodemcu_emu::net
