// net under --firmware=1: 1.5.4.1's espconn-era API (net.c@1.5.4.1-master_20161201).
//
// net.TCP/net.UDP are the espconn type codes 16/32; createConnection and createServer make
// 1.5.4.1's net.socket and net.server objects for both protocols. Those are Lua objects
// (net_v1_chunk.cpp) over the 2.x sockets, so ports, limits, --trace and the device's address
// mapping stay in one place and every callback still reaches the script through the 2.x
// objects' unprotected dispatch, as 1.5.4.1's lua_call did. This file hands the chunk what it
// builds on.
#include <memory>
#include <string>
#include <string_view>

#include "core/device.hpp"
#include "modules/net/net_parts.hpp"
#include "modules/net/net_state.hpp"
#include "modules/net/net_v1_chunk.hpp"
#include "modules/net/tcp_server.hpp"

namespace nodemcu_emu::net {

namespace {

// The 2.x constructors, called with 2.x's arguments (no deprecation notes: the script used
// the 1.x API, which had none).
int new_tcp_socket(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushinteger(L, 1);
  lua_call(L, 1, 1);
  return 1;
}

int new_tcp_server(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushinteger(L, 1);
  lua_pushvalue(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

// listener_state(server, callback_set, timeout_s): see TcpServer::set_v1_state.
int listener_state(lua_State* L) {
  TcpServer& server = check_object<TcpServer>(L, k_tcpserver_class);
  server.set_v1_state(lua_toboolean(L, 2) != 0, static_cast<int>(luaL_checkinteger(L, 3)));
  return 0;
}

// post(fn): fn() from the task queue on a later turn, unprotected (espconn's own task calling
// back into net.c, e.g. the disconnection after a local close).
int post(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua::Ref ref(L, 1);  // may raise: before anything else exists
  core::Device::from(L).post_call(core::TaskQueue::high, std::move(ref),
                                  core::Protection::unprotected);
  return 0;
}

// uart_write(text): the firmware's own prints (NODE_ERR), past node.output.
int uart_write(lua_State* L) {
  std::size_t len = 0;
  const char* text = luaL_checklstring(L, 1, &len);
  core::Device::from(L).console().write_uart(std::string_view(text, len));
  return 0;
}

// warn(text): an emulator warning on stderr (where the device fails silently).
int warn(lua_State* L) {
  NetState::warn(luaL_checkstring(L, 1));
  return 0;
}

void push_field_closure(lua_State* L, int net, const char* field, lua_CFunction fn) {
  lua_getfield(L, net, field);
  lua_pushcclosure(L, fn, 1);
}

}  // namespace

void open_v1(lua_State* L) {
  int net = lua_gettop(L);
  if (luaL_loadbuffer(L, k_net_v1_chunk, std::char_traits<char>::length(k_net_v1_chunk), "=net(1.x)") != 0)
    lua_error(L);
  lua_pushcfunction(L, push_new_udp_socket);
  push_field_closure(L, net, "createConnection", new_tcp_socket);
  push_field_closure(L, net, "createServer", new_tcp_server);
  lua_pushcfunction(L, listener_state);
  lua_getfield(L, net, "dns");
  lua_getfield(L, -1, "resolve");
  lua_remove(L, -2);
  lua_pushcfunction(L, post);
  lua_pushcfunction(L, uart_write);
  lua_pushcfunction(L, warn);
  for (const char* name : {"newproxy", "getmetatable", "type", "error", "tostring", "tonumber",
                           "select", "pcall", "pairs"})
    lua_getglobal(L, name);
  lua_call(L, lua_gettop(L) - net - 1, 5);
  lua_getfield(L, net, "dns");
  lua_insert(L, -2);
  lua_setfield(L, -2, "resolve");  // net.dns.resolve(domain[, fn]): fn(socket, ip)
  lua_pop(L, 1);
  lua_setfield(L, net, "UDP");
  lua_setfield(L, net, "TCP");
  lua_setfield(L, net, "createServer");
  lua_setfield(L, net, "createConnection");
  // 1.5.4.1's net_map has no createUDPSocket (it came with 2.x).
  lua_pushnil(L);
  lua_setfield(L, net, "createUDPSocket");
}

}  // namespace nodemcu_emu::net
