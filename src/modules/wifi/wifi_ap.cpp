// wifi.ap: the device's own access point (wifi.c). No emulated client ever joins it, so its
// client list stays empty and the AP_* events do not fire (docs/wifi.md).
#include "lua/fields.hpp"
#include "modules/wifi/wifi_errors.hpp"
#include "modules/wifi/wifi_internal.hpp"

namespace wifi_errors = nodemcu_emu::modules::wifi::errors;

namespace nodemcu_emu::modules::wifi {

namespace {


// An integer field of the config table checked against [lo, hi]; absent → `fallback`.
int number_field(lua_State* L, const char* key, const char* not_number, int lo, int hi,
                 const char* range, int fallback) {
  lua_getfield(L, 1, key);
  int value = fallback;
  if (!lua_isnil(L, -1)) {
    if (!lua_isnumber(L, -1)) luaL_argerror(L, 1, not_number);
    lua_Integer n = luaL_checkinteger(L, -1);
    luaL_argcheck(L, n >= lo && n <= hi, 1, range);
    value = static_cast<int>(n);
  }
  lua_pop(L, 1);
  return value;
}

// ssid and pwd stay on the stack (the views point into them) and no C++ object owning memory
// lives until every check that may raise has passed (Lua errors are longjmps).
struct Credentials {
  std::string_view ssid;
  std::string_view pwd;
  int auth = k_auth_open;
};

Credentials parse_ssid_pwd(lua_State* L) {
  Credentials c;
  size_t len = 0;
  lua_getfield(L, 1, "ssid");
  if (lua_isnil(L, -1)) luaL_argerror(L, 1, wifi_errors::k_ap_ssid_required);
  if (!lua_isstring(L, -1)) luaL_argerror(L, 1, wifi_errors::k_ssid_not_string);
  const char* ssid = lua_tolstring(L, -1, &len);
  luaL_argcheck(L, len >= 1 && len <= 32, 1, "ssid: length:1-32");
  c.ssid = std::string_view(ssid, len);

  lua_getfield(L, 1, "pwd");
  if (!lua_isnil(L, -1)) {
    if (!lua_isstring(L, -1)) luaL_argerror(L, 1, wifi_errors::k_pwd_not_string);
    const char* pwd = lua_tolstring(L, -1, &len);
    luaL_argcheck(L, len >= 8 && len <= 64, 1, "pwd: length:0 or 8-64");
    c.pwd = std::string_view(pwd, len);
    c.auth = k_auth_wpa_wpa2_psk;
  }
  return c;
}

bool parse_hidden(lua_State* L) {
  lua_getfield(L, 1, "hidden");
  lua_Integer hidden = 0;
  if (!lua_isnil(L, -1)) {
    int type = lua_type(L, -1);
    if (type != LUA_TNUMBER && type != LUA_TBOOLEAN) luaL_argerror(L, 1, wifi_errors::k_hidden_not_boolean);
    hidden = type == LUA_TNUMBER ? luaL_checkinteger(L, -1) : lua_toboolean(L, -1);
    luaL_argcheck(L, hidden == 0 || hidden == 1, 1, "hidden: 0 or 1");
  }
  lua_pop(L, 1);
  return hidden == 1;
}

int ap_config(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  Credentials cred = parse_ssid_pwd(L);
  int auth = number_field(L, "auth", "auth: not number", 0, 4, "auth: Range:0-4", cred.auth);
  int channel = number_field(L, "channel", "channel: not number", 1, 13, "channel: Range:1-13", 6);
  bool hidden = parse_hidden(L);
  int max = number_field(L, "max", "max: not number", 1, 4, "max: 1-4", 4);
  int beacon =
      number_field(L, "beacon", "beacon: not number", 100, 60000, "beacon: 100-60000", 100);
  lua_getfield(L, 1, "save");
  bool save = true;
  if (!lua_isnil(L, -1)) {
    if (!lua_isboolean(L, -1)) luaL_argerror(L, 1, wifi_errors::k_save_not_boolean);
    save = lua_toboolean(L, -1) != 0;
  }
  lua_pop(L, 1);
  callback_field(L, "staconnected_cb", k_ap_staconnected, "staconnected_cb:not function");
  callback_field(L, "stadisconnected_cb", k_ap_stadisconnected, "stadisconnected_cb:not function");
  callback_field(L, "probereq_cb", k_ap_probereqrecved, "probereq_cb:not function");
  SoftApConfig c{std::string(cred.ssid), std::string(cred.pwd), auth, channel, hidden, max, beacon};
  // The SDK takes a soft AP config only while the soft AP interface is on.
  Radio& radio = state(L).radio;
  bool ok = radio.softap_on();
  if (ok) {
    radio.softap_config = c;
    if (save) radio.saved_softap_config = c;
  }
  lua_pushboolean(L, ok);
  return 1;
}

int push_softap_config(lua_State* L, const SoftApConfig& c) {
  if (lua_isboolean(L, 1) && lua_toboolean(L, 1)) {
    lua_newtable(L);
    lua::set_string(L, "ssid", c.ssid);
    if (c.auth != k_auth_open) lua::set_string(L, "pwd", c.pwd);
    lua::set_integer(L, "auth", c.auth);
    lua::set_integer(L, "channel", c.channel);
    lua_pushboolean(L, c.hidden);
    lua_setfield(L, -2, "hidden");
    lua::set_integer(L, "max", c.max_connections);
    lua::set_integer(L, "beacon", c.beacon_ms);
    return 1;
  }
  lua_pushstring(L, c.ssid.c_str());
  if (c.auth == k_auth_open)
    lua_pushnil(L);
  else
    lua_pushstring(L, c.pwd.c_str());
  return 2;
}

int ap_getconfig(lua_State* L) {
  return push_softap_config(L, state(L).radio.softap_config);
}

int ap_getdefaultconfig(lua_State* L) {
  return push_softap_config(L, state(L).radio.saved_softap_config);
}

int ap_getip(lua_State* L) {
  return push_ip_info(L, state(L).radio.softap_ip());
}

int ap_getbroadcast(lua_State* L) {
  return push_broadcast(L, state(L).radio.softap_ip());
}

// Unlike the station's, the soft AP's gateway is always replaced (0 when not given).
int ap_setip(lua_State* L) {
  if (!lua_istable(L, 1)) return luaL_error(L, wifi_errors::k_wrong_arg_type);
  Radio& radio = state(L).radio;
  IpInfo& info = radio.softap_ip_config();
  auto key = [L](const char* name) -> Ip4 {
    lua_getfield(L, 1, name);
    Ip4 ip = lua_isstring(L, -1) ? parse_ip(lua_tostring(L, -1)) : 0;
    lua_pop(L, 1);
    return ip;
  };
  if (Ip4 ip = key("ip")) info.ip = ip;
  if (Ip4 mask = key("netmask")) info.netmask = mask;
  info.gateway = key("gateway");
  lua_pushboolean(L, radio.softap_on());
  return 1;
}

int ap_getmac(lua_State* L) { return push_mac(L, &Radio::softap_mac); }

int ap_setmac(lua_State* L) { return set_mac(L, &Radio::softap_mac); }

int ap_getclient(lua_State* L) {
  if (state(L).radio.mode() == k_station)
    return luaL_error(L, core::Device::from(L).options().firmware == 1
                             ? wifi_errors::k_can_t_list_client_in_station_mode_v1
                             : wifi_errors::k_can_t_list_clients_in_station);
  lua_newtable(L);
  return 1;
}

int ap_deauth(lua_State* L) {
  if (lua_isstring(L, 1)) {
    size_t len = 0;
    luaL_checklstring(L, 1, &len);
    luaL_argcheck(L, len == 17, 1, k_invalid_mac);
  }
  lua_pushboolean(L, state(L).radio.softap_on());
  return 1;
}

// --- dhcp ---

int dhcp_config(lua_State* L) {
  if (!lua_istable(L, 1)) return luaL_error(L, wifi_errors::k_wrong_arg_type);
  lua_getfield(L, 1, "start");
  Ip4 start = lua_isstring(L, -1) ? parse_ip(lua_tostring(L, -1)) : 0;
  lua_pop(L, 1);
  if (start == 0) return luaL_error(L, wifi_errors::k_wrong_arg_type);
  WifiState& s = state(L);
  // The lease ends max_connection - 1 addresses on, counted in the last octet only.
  Ip4 last = (start + static_cast<Ip4>(s.radio.softap_config.max_connections - 1)) & 0xFF;
  Ip4 end = (start & 0xFFFFFF00u) | last;
  s.dhcps_start = start;
  lua_pushstring(L, ip_text(start).text);
  lua_pushstring(L, ip_text(end).text);
  return 2;
}

int dhcp_start(lua_State* L) {
  state(L).dhcps_running = true;
  lua_pushboolean(L, 1);
  return 1;
}

int dhcp_stop(lua_State* L) {
  state(L).dhcps_running = false;
  lua_pushboolean(L, 1);
  return 1;
}

}  // namespace

void push_softap_table(lua_State* L) {
  static const luaL_Reg functions[] = {{"config", ap_config},
                                       {"deauth", ap_deauth},
                                       {"getip", ap_getip},
                                       {"setip", ap_setip},
                                       {"getbroadcast", ap_getbroadcast},
                                       {"getmac", ap_getmac},
                                       {"setmac", ap_setmac},
                                       {"getclient", ap_getclient},
                                       {"getconfig", ap_getconfig},
                                       {"getdefaultconfig", ap_getdefaultconfig},
                                       {nullptr, nullptr}};
  static const luaL_Reg dhcp[] = {
      {"config", dhcp_config}, {"start", dhcp_start}, {"stop", dhcp_stop}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  lua_newtable(L);
  luaL_register(L, nullptr, dhcp);
  lua_setfield(L, -2, "dhcp");
}

}  // namespace nodemcu_emu::modules::wifi
