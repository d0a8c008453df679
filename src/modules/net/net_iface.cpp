// net.ifinfo (firmware profile 3), net.multicastJoin/multicastLeave (spec/net.md 8).
#include <strings.h>

#include <cstdint>
#include <optional>

#include "core/ip/address.hpp"
#include "modules/net/net_parts.hpp"
#include "core/station.hpp"
#include "modules/net/udp_registry.hpp"

namespace nodemcu_emu::net {

namespace {

using core::Device;


// lwIP's ipaddr_addr: IPADDR_NONE when the text is not an address.
std::uint32_t ipaddr_addr(const char* text) {
  return parse_ipv4(text).value_or(k_ipaddr_none);
}

// net_multicastJoinLeave: the arguments are checked, the IGMP result is ignored.
int join_or_leave(lua_State* L, bool join) {
  if (!lua_isstring(L, 1)) return luaL_error(L, "wrong arg type");
  std::size_t if_len = 0;
  const char* if_ip = lua_tolstring(L, 1, &if_len);
  if (if_ip[0] == '\0' || strcasecmp(if_ip, "any") == 0) {
    if_ip = "0.0.0.0";  // every interface
    if_len = 7;
  }
  if (if_len > 15 || if_len < 7) return luaL_error(L, "invalid if ip");
  std::uint32_t if_addr = ipaddr_addr(if_ip);
  if (!lua_isstring(L, 2)) return luaL_error(L, "wrong arg type");
  std::size_t mc_len = 0;
  const char* mc_ip = lua_tolstring(L, 2, &mc_len);
  if (mc_len > 15 || mc_len < 7) return luaL_error(L, "invalid multicast ip");
  std::uint32_t group = ipaddr_addr(mc_ip);
  Device& d = Device::from(L);
  // igmp_joingroup acts on the interfaces whose address matches (any: all of them); the
  // emulated device has one, the station.
  if (if_addr == 0 || if_addr == core::station_info(d).ip) {
    if (join)
      udp_registry(d).join(group);
    else
      udp_registry(d).leave(group);
  }
  return 0;
}

int net_multicast_join(lua_State* L) {
  return join_or_leave(L, true);
}
int net_multicast_leave(lua_State* L) {
  return join_or_leave(L, false);
}

// The text from a plain array: lua_pushstring may raise (out of memory), and a longjmp would
// skip a std::string's destructor.
void set_ip_field(lua_State* L, const char* key, std::uint32_t ip) {
  char text[16];
  format_ipv4(ip, text);
  if (ip == 0)
    lua_pushnil(L);
  else
    lua_pushstring(L, text);
  lua_setfield(L, -2, key);
}

// Lua: net.ifinfo([idx]) -> {ip, netmask, gateway, hwaddr} | nothing
int net_ifinfo(lua_State* L) {
  lua_Integer index = luaL_optinteger(L, 1, 0);
  // 0 is the station. The SoftAP (1) is not emulated, so like any missing interface it gives
  // no value at all. No DHCP client runs in the emulator, so there is no `dhcp` field.
  if (index != 0) return 0;
  core::StationInfo sta = core::station_info(Device::from(L));
  lua_createtable(L, 0, 4);
  lua_pushlstring(L, reinterpret_cast<const char*>(sta.mac.data()), sta.mac.size());
  lua_setfield(L, -2, "hwaddr");
  set_ip_field(L, "ip", sta.ip);
  set_ip_field(L, "netmask", sta.netmask);
  set_ip_field(L, "gateway", sta.gateway);
  return 1;
}

}  // namespace

void open_iface(lua_State* L) {
  lua_pushcfunction(L, net_multicast_join);
  lua_setfield(L, -2, "multicastJoin");
  lua_pushcfunction(L, net_multicast_leave);
  lua_setfield(L, -2, "multicastLeave");
  // Profile 2 (2.x firmware) has no net.ifinfo.
  if (Device::from(L).options().firmware >= 3) {
    lua_pushcfunction(L, net_ifinfo);
    lua_setfield(L, -2, "ifinfo");
  }
}

}  // namespace nodemcu_emu::net
