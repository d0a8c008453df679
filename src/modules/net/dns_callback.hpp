// The address a dns callback receives, the same for sck:dns on TCP and UDP sockets and for
// net.dns.resolve. net.c pushes it alike in net_dns_cb (both socket types) and net_dns_static_cb
// (2.2.1-master_20190405 net.c:169-187 and 872-890; 3.0.0-release_20240225 net.c:169-188 and
// 857-882): lwIP's "not found" (ipaddr NULL) becomes 0xFFFFFFFF, and 0xFFFFFFFF goes out as
// nil, so an answer of 255.255.255.255 is a failure too.
#pragma once

#include <cstdint>
#include <optional>

#include "lua/lua.hpp"

namespace nodemcu_emu::net {

// Pushes the dotted quad, or nil for no answer and for 255.255.255.255. May raise (memory):
// call it from a frame with no live C++ objects.
void push_dns_answer(lua_State* L, std::optional<std::uint32_t> ip);

}  // namespace nodemcu_emu::net
