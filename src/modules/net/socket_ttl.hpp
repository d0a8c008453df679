// sck:ttl([n]) for TCP and UDP sockets: net.c has one net_ttl for both (the ttl field sits at
// the same place in tcp_pcb and udp_pcb; 2.2.1-master_20190405 net.c:659-677,
// 3.0.0-release_20240225 net.c:630-648), so the emulator has one too.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::net {

inline constexpr const char* k_ttl_not_open = "socket is not open/bound yet";

// `open`: the socket has a pcb (else the call raises). `current`: the stored TTL. `set(n)`:
// stores n as the pcb's u8 field and applies it to the host socket; it must not raise.
// luaL_optinteger(L, 2, -1) into an int, as net_ttl: nil and -1 read, anything else sets and
// is returned as given (ttl(300) stores 44, returns 300).
template <class Set>
int socket_ttl(lua_State* L, bool open, int current, Set&& set) {
  if (!open) return luaL_error(L, k_ttl_not_open);
  int n = static_cast<int>(luaL_optinteger(L, 2, -1));
  if (n == -1) {
    lua_pushinteger(L, current);
    return 1;
  }
  set(n);
  lua_pushinteger(L, n);
  return 1;
}

}  // namespace nodemcu_emu::net
