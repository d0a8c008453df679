// net.dns: resolve, getdnsserver, setdnsserver (spec/net.md 7).
#include <cstdint>
#include <memory>
#include <optional>

#include "core/ip/address.hpp"
#include "modules/net/dns_callback.hpp"
#include "core/ip/dns_resolver.hpp"
#include "core/ip/lwip_errors.hpp"
#include "modules/net/net_parts.hpp"
#include "modules/net/push_ipv4.hpp"
#include "lua/check.hpp"

namespace nodemcu_emu::net {

namespace {

using core::Device;

// The resolver keeps this many server slots; --limits dns-servers=0 (unlimited) means all.
constexpr int k_server_slots = 8;

int max_servers(const Device& d) {
  int n = d.options().limits.dns_servers;
  return n <= 0 || n > k_server_slots ? k_server_slots : n;
}

// net_dns_static_cb for a query that went out: fn(nil, ip|nil), unprotected like every net
// callback.
void resolve_answer(Device& d, lua::Ref& fn, std::optional<std::uint32_t> ip) {
  // The device may have rebooted meanwhile: that Lua state is gone, and dispatch does nothing.
  lua::Ref once = std::move(fn);  // the firmware unrefs the callback before calling it
  d.dispatch(once, core::Protection::unprotected, [ip](lua_State* L) {
    lua_pushnil(L);
    push_dns_answer(L, ip);
    return 2;
  });
}

// Lua: net.dns.resolve(host, fn)
int dns_resolve(lua_State* L) {
  const char* host = luaL_checkstring(L, 1);
  Device& d = Device::from(L);
  if (d.options().firmware <= 2)
    lua::check_any_function(L, 2);  // net.c@2.2.1 net_dns_static
  else
    luaL_checktype(L, 2, LUA_TFUNCTION);
  std::uint32_t ip = 0;
  int err;
  {
    // Owned by the pending query only; gone again before anything below can raise. The Ref
    // comes first (luaL_ref may raise), the shared_ptr around it after.
    lua::Ref ref(L, 2);
    auto fn = std::make_shared<lua::Ref>(std::move(ref));
    err = dns_resolver(d).lookup(host, ip, [&d, fn](std::optional<std::uint32_t> answer) {
      resolve_answer(d, *fn, answer);
    });
  }
  if (err == k_ok) {
    // A dotted quad answers inside the call: an error in fn reaches the caller.
    lua_pushvalue(L, 2);
    lua_pushnil(L);
    push_dns_answer(L, ip);
    lua_call(L, 2, 0);
    return 0;
  }
  if (err == k_err_inprogress) return 0;
  return luaL_error(L, "%s", lwip_error_text(err));
}

// dns_getserver/dns_setserver take the index as a u8: -255 is slot 1, -1 is 255 (no slot).
std::uint8_t server_slot(int index) {
  return static_cast<std::uint8_t>(index);
}

// Lua: net.dns.getdnsserver([index]) -> "a.b.c.d" | nil
int dns_getdnsserver(lua_State* L) {
  Device& d = Device::from(L);
  int index = luaL_optint(L, 1, 0);
  int max = max_servers(d);
  if (index >= max) return luaL_error(L, "server index out of range [0-%d]", max - 1);
  std::uint8_t slot = server_slot(index);
  std::uint32_t ip = slot < max ? dns_resolver(d).server(slot) : 0;
  if (ip == 0)
    lua_pushnil(L);
  else
    push_ipv4(L, ip);
  return 1;
}

// Lua: net.dns.setdnsserver(ip, [index])
int dns_setdnsserver(lua_State* L) {
  Device& d = Device::from(L);
  std::size_t len = 0;
  const char* server = luaL_checklstring(L, 1, &len);
  // ipaddr_addr: IPADDR_NONE for garbage and for 255.255.255.255 alike.
  std::optional<std::uint32_t> ip = len > 16 ? std::nullopt : parse_ipv4(server);
  if (!ip || *ip == k_ipaddr_none || *ip == 0) return luaL_error(L, "invalid dns server ip");
  int index = luaL_optint(L, 2, 0);
  int max = max_servers(d);
  if (index >= max) return luaL_error(L, "server index out of range [0-%d]", max - 1);
  std::uint8_t slot = server_slot(index);
  if (slot < max) dns_resolver(d).set_server(slot, *ip);
  return 0;
}

}  // namespace

void open_dns(lua_State* L) {
  static const luaL_Reg functions[] = {
      {"resolve", dns_resolve},
      {"getdnsserver", dns_getdnsserver},
      {"setdnsserver", dns_setdnsserver},
      {nullptr, nullptr},
  };
  lua_newtable(L);
  for (const luaL_Reg* f = functions; f->name != nullptr; ++f) {
    lua_pushcfunction(L, f->func);
    lua_setfield(L, -2, f->name);
  }
  lua_setfield(L, -2, "dns");
}

}  // namespace nodemcu_emu::net
