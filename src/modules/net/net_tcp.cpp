// net.createServer / net.createConnection under both firmware profiles (net.md 0, 1, 3).
#include "modules/net/net_parts.hpp"
#include "modules/net/net_state.hpp"
#include "modules/net/tcp_server.hpp"
#include "modules/net/tcp_socket.hpp"

namespace nodemcu_emu::net {

namespace {

constexpr lua_Integer k_type_tcp = 1;
constexpr lua_Integer k_type_udp = 2;
constexpr lua_Integer k_default_timeout = 30;

// The deprecated net.UDP forms return what net.createUDPSocket returns (the net table is the
// closure's upvalue).
int create_udp_socket(lua_State* L) {
  lua_getfield(L, lua_upvalueindex(1), "createUDPSocket");
  lua_call(L, 0, 1);
  return 1;
}

void check_timeout_range(lua_Integer timeout) {
  // The documented range; the firmware checks nothing (net.md 11.2).
  if (timeout < 1 || timeout > 28800)
    NetState::warn("server timeout " + std::to_string(timeout) +
                   " s is outside the documented 1..28800" +
                   (timeout <= 0 ? "; the inactivity timeout is off" : ""));
}

int create_server(lua_State* L) {
  core::Device& d = core::Device::from(L);
  lua_Integer timeout = k_default_timeout;
  if (d.options().firmware <= 2) {
    lua_Integer type = luaL_optinteger(L, 1, k_type_tcp);
    if (type == k_type_udp) {
      d.console().deprecation_note("net.createServer with net.UDP type", "in next version");
      return create_udp_socket(L);
    }
    if (type != k_type_tcp) return luaL_error(L, "invalid type");
    timeout = luaL_optinteger(L, 2, k_default_timeout);
  } else {
    timeout = luaL_optinteger(L, 1, k_default_timeout);
    if (!lua_isnoneornil(L, 2) && (timeout == k_type_tcp || timeout == k_type_udp))
      NetState::warn("net.createServer(" + std::to_string(timeout) +
                     ", ...) under --firmware=3: the first argument is the timeout, so this "
                     "server times out after " + std::to_string(timeout) + " s");
  }
  if (!lua_isnoneornil(L, d.options().firmware <= 2 ? 2 : 1)) check_timeout_range(timeout);
  push_new_tcp_server(L, static_cast<int>(timeout));
  return 1;
}

int create_connection(lua_State* L) {
  core::Device& d = core::Device::from(L);
  if (d.options().firmware <= 2) {
    lua_Integer type = luaL_optinteger(L, 1, k_type_tcp);
    if (type == k_type_udp) {
      d.console().deprecation_note("net.createConnection with net.UDP type", "in next version");
      return create_udp_socket(L);
    }
    if (type != k_type_tcp) return luaL_error(L, "invalid type");
    if (luaL_optinteger(L, 2, 0) != 0) {
      d.console().deprecation_note("net.createConnection with secure flag", "in next version");
      return luaL_error(L, "secure connections not enabled");
    }
  }
  push_new_tcp_socket(L);
  return 1;
}

}  // namespace

void open_tcp(lua_State* L) {
  register_tcp_socket_class(L);
  register_tcp_server_class(L);
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, create_server, 1);
  lua_setfield(L, -2, "createServer");
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, create_connection, 1);
  lua_setfield(L, -2, "createConnection");
}

}  // namespace nodemcu_emu::net
