// The pieces of the net module: each adds its functions to the module table at the stack top.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::net {

// net.createConnection, net.createServer; metatables net.tcpserver and net.tcpsocket.
void open_tcp(lua_State* L);
// net.createUDPSocket; metatable net.udpsocket.
void open_udp(lua_State* L);
// Pushes a new UDP socket (net.createUDPSocket).
int push_new_udp_socket(lua_State* L);
// net.dns.resolve/getdnsserver/setdnsserver.
void open_dns(lua_State* L);
// Profile 1: 1.5.4.1's createConnection/createServer (UDP objects with connect/send), its
// TCP/UDP codes, no createUDPSocket. Runs last, over the 2.x functions already in the table.
void open_v1(lua_State* L);
// net.ping (profile 3).
void open_ping(lua_State* L);
// net.ifinfo (profile 3), net.multicastJoin/multicastLeave.
void open_iface(lua_State* L);

}  // namespace nodemcu_emu::net
