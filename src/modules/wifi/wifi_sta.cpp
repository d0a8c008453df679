// wifi.sta: the station interface (wifi.c), over the simulated radio.
#include <cctype>
#include <cstdio>
#include <cstring>

#include "core/console.hpp"
#include "lua/fields.hpp"
#include "modules/wifi/wifi_errors.hpp"
#include "modules/wifi/wifi_internal.hpp"

namespace wifi_errors = nodemcu_emu::modules::wifi::errors;

namespace nodemcu_emu::modules::wifi {

namespace {

using namespace std::chrono_literals;

// An active scan of 13 channels at up to 120 ms each (wifi.c's scan_cfg).
constexpr core::Micros k_scan_time = 1500ms;

// --- sta.config ---

// A string field of the config table (numbers count, as lua_isstring says). Returns false when
// the key is absent; raises `not_string` for other types. The value stays on the stack, so the
// view stays valid: no C++ object that owns memory may be alive while a Lua error can unwind
// (Lua 5.1 errors are longjmps).
bool string_field(lua_State* L, const char* key, const char* not_string, std::string_view& out) {
  lua_getfield(L, 1, key);
  if (lua_isnil(L, -1)) return false;
  if (!lua_isstring(L, -1)) luaL_argerror(L, 1, not_string);
  size_t len = 0;
  const char* s = lua_tolstring(L, -1, &len);
  out = std::string_view(s, len);
  return true;
}

// The documentation names connected_cb/disconnected_cb, but wifi.c reads connect_cb and
// disconnect_cb (nodemcu-firmware issue 2275): the documented names are silently ignored.
void warn_documented_names(lua_State* L) {
  if (!core::Device::from(L).options().strict) return;
  for (const char* key : {"connected_cb", "disconnected_cb"}) {
    lua_getfield(L, 1, key);
    if (!lua_isnil(L, -1))
      core::Console::diagnostic(std::string("nodemcu-emu: wifi.sta.config ignores '") + key +
                                "' as the firmware does (it reads connect_cb/disconnect_cb)");
    lua_pop(L, 1);
  }
}

int sta_config(lua_State* L) {
  if (!lua_istable(L, 1)) return luaL_argerror(L, 1, wifi_errors::k_config_table_not_found);
  lua_settop(L, 1);
  std::string_view ssid, pwd, bssid;
  if (!string_field(L, "ssid", "ssid:not string", ssid)) luaL_argerror(L, 1, wifi_errors::k_sta_ssid_required);
  // Zero-length is valid: it clears the config.
  luaL_argcheck(L, ssid.size() <= 32, 1, "ssid: length:0-32");
  if (string_field(L, "pwd", "pwd:not string", pwd))
    luaL_argcheck(L, pwd.size() <= 64, 1, "pwd: length:0-64");
  bool bssid_set = string_field(L, "bssid", "bssid:not string", bssid);
  if (bssid_set) luaL_argcheck(L, bssid.size() == 17, 1, "bssid: FF:FF:FF:FF:FF:FF");
  bool auto_connect = boolean_field(L, "auto", "auto:not boolean", true);
  bool save = boolean_field(L, "save", "save:not boolean", true);
  callback_field(L, "connect_cb", k_sta_connected, "connect_cb:not function");
  callback_field(L, "disconnect_cb", k_sta_disconnected, "disconnect_cb:not function");
  callback_field(L, "authmode_change_cb", k_sta_authmode_change, "authmode_change_cb:not function");
  callback_field(L, "got_ip_cb", k_sta_got_ip, "gotip_cb:not function");
  callback_field(L, "dhcp_timeout_cb", k_sta_dhcp_timeout, "dhcp_timeout_cb:not function");
  warn_documented_names(L);
  StationConfig c{std::string(ssid), std::string(pwd), bssid_set, {}};
  if (bssid_set) c.bssid = parse_mac(bssid);
  lua_pushboolean(L, state(L).radio.configure(c, save, auto_connect));
  return 1;
}

int sta_clearconfig(lua_State* L) {
  lua_pushboolean(L, state(L).radio.clear_config());
  return 1;
}

int sta_connect(lua_State* L) {
  if (lua_isfunction(L, 1)) set_event_callback(L, k_sta_connected, 1);
  state(L).radio.connect();
  return 0;
}

int sta_disconnect(lua_State* L) {
  if (lua_isfunction(L, 1)) set_event_callback(L, k_sta_disconnected, 1);
  state(L).radio.disconnect();
  return 0;
}

int sta_autoconnect(lua_State* L) {
  auto on = static_cast<unsigned>(luaL_checkinteger(L, 1));
  luaL_argcheck(L, on == 0 || on == 1, 1, "0 or 1");
  state(L).radio.set_auto_connect(on == 1);
  return 0;
}

// --- the AP cache (one entry: the configured AP) ---

int sta_setaplimit(lua_State* L) {
  auto limit = static_cast<unsigned>(luaL_checkinteger(L, 1));
  luaL_argcheck(L, limit >= 1 && limit <= 5, 1, "Valid range: 1-5");
  lua_pushboolean(L, 1);
  return 1;
}

int sta_changeap(lua_State* L) {
  auto index = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
  luaL_argcheck(L, index >= 1 && index <= 5, 1, "Valid range: 1-5");
  lua_pushboolean(L, index == 1 && !state(L).radio.config().ssid.empty());
  return 1;
}

int sta_getapindex(lua_State* L) {
  lua_pushinteger(L, 1);
  return 1;
}

int sta_getapinfo(lua_State* L) {
  const StationConfig& c = state(L).radio.config();
  int qty = c.ssid.empty() ? 0 : 1;
  lua_newtable(L);
  lua::set_integer(L, "qty", qty);
  if (qty == 1) {
    lua_newtable(L);
    lua::set_string(L, "ssid", c.ssid);
    if (!c.pwd.empty()) lua::set_string(L, "pwd", c.pwd);
    if (c.bssid_set) lua::set_string(L, "bssid", mac_text(c.bssid).text);
    lua_rawseti(L, -2, 1);
  }
  return 1;
}

// --- getconfig ---

int push_station_config(lua_State* L, const StationConfig& c) {
  if (lua_isboolean(L, 1) && lua_toboolean(L, 1)) {
    lua_newtable(L);
    lua::set_string(L, "ssid", c.ssid);
    if (!c.pwd.empty()) lua::set_string(L, "pwd", c.pwd);
    lua_pushboolean(L, c.bssid_set);
    lua_setfield(L, -2, "bssid_set");
    lua::set_string(L, "bssid", mac_text(c.bssid).text);
    return 1;
  }
  lua_pushstring(L, c.ssid.c_str());
  lua_pushstring(L, c.pwd.c_str());
  lua_pushinteger(L, c.bssid_set ? 1 : 0);
  lua_pushstring(L, mac_text(c.bssid).text);
  return 4;
}

int sta_getconfig(lua_State* L) {
  return push_station_config(L, state(L).radio.config());
}

int sta_getdefaultconfig(lua_State* L) {
  return push_station_config(L, state(L).radio.saved_config());
}

// --- addresses ---

int sta_getip(lua_State* L) {
  return push_ip_info(L, state(L).radio.station_ip());
}

int sta_getbroadcast(lua_State* L) {
  return push_broadcast(L, state(L).radio.station_ip());
}

// Keys given replace the current values; a missing or zero gateway keeps the current one.
int sta_setip(lua_State* L) {
  WifiState& s = state(L);
  IpInfo info = s.radio.station_ip().value_or(IpInfo{});
  if (!lua_istable(L, 1)) return luaL_error(L, wifi_errors::k_wrong_arg_type);
  auto key = [L](const char* name) -> Ip4 {
    lua_getfield(L, 1, name);
    Ip4 ip = lua_isstring(L, -1) ? parse_ip(lua_tostring(L, -1)) : 0;
    lua_pop(L, 1);
    return ip;
  };
  if (Ip4 ip = key("ip")) info.ip = ip;
  if (Ip4 mask = key("netmask")) info.netmask = mask;
  if (Ip4 gw = key("gateway")) info.gateway = gw;
  lua_pushboolean(L, s.radio.set_static_ip(info));
  return 1;
}

int sta_getmac(lua_State* L) { return push_mac(L, &Radio::station_mac); }

int sta_setmac(lua_State* L) { return set_mac(L, &Radio::station_mac); }

// RFC 952/1123: 1..32 characters, letters, digits and inner hyphens.
bool valid_hostname(const char* name, size_t len) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (len == 0 || len > 32 || !alnum(name[0]) || !alnum(name[len - 1])) return false;
  for (size_t i = 1; i < len; ++i)
    if (!alnum(name[i]) && name[i] != '-') return false;
  return true;
}

int sta_gethostname(lua_State* L) {
  lua_pushstring(L, state(L).hostname.c_str());
  return 1;
}

int sta_sethostname(lua_State* L) {
  size_t len = 0;
  const char* name = luaL_checklstring(L, 1, &len);
  luaL_argcheck(L, valid_hostname(name, len), 1, "Invalid hostname");
  state(L).hostname.assign(name, len);
  lua_pushboolean(L, 1);
  return 1;
}

// --- status ---

int sta_status(lua_State* L) {
  lua_pushinteger(L, state(L).radio.status());
  return 1;
}

int sta_getrssi(lua_State* L) {
  auto rssi = state(L).radio.rssi();
  if (rssi)
    lua_pushinteger(L, *rssi);
  else
    lua_pushnil(L);
  return 1;
}

// --- getap: a scan that finds the simulated AP (when it is there) ---

// Plain data: it lives through argument checks that may raise (see string_field).
struct ScanFilter {
  char ssid[33] = {};
  bool by_ssid = false;
  Mac bssid{};
  bool by_bssid = false;
  int channel = 0;
};

void parse_scan_config(lua_State* L, ScanFilter& f) {
  lua_getfield(L, 1, "ssid");
  if (!lua_isnil(L, -1)) {
    if (!lua_isstring(L, -1)) luaL_error(L, wifi_errors::k_wrong_arg_type);
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    if (len > 32) luaL_error(L, wifi_errors::k_ssid_32);
    std::memcpy(f.ssid, s, len);
    f.by_ssid = true;
  }
  lua_getfield(L, 1, "bssid");
  if (!lua_isnil(L, -1)) {
    if (!lua_isstring(L, -1)) luaL_error(L, wifi_errors::k_wrong_arg_type);
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    luaL_argcheck(L, len == 17, 1, k_invalid_mac);
    f.bssid = parse_mac(std::string_view(s, len));
    f.by_bssid = true;
  }
  lua_getfield(L, 1, "channel");
  if (!lua_isnil(L, -1)) {
    if (!lua_isnumber(L, -1)) luaL_error(L, wifi_errors::k_wrong_arg_type);
    auto channel = static_cast<std::uint8_t>(luaL_checkinteger(L, -1));
    if (channel > 13) luaL_error(L, wifi_errors::k_channel_0_or_1_13);
    f.channel = channel;
  }
  lua_getfield(L, 1, "show_hidden");
  if (!lua_isnil(L, -1)) {
    if (!lua_isnumber(L, -1)) luaL_error(L, wifi_errors::k_wrong_arg_type);
    auto hidden = static_cast<std::uint8_t>(luaL_checkinteger(L, -1));
    if (hidden != 0 && hidden != 1) luaL_error(L, wifi_errors::k_show_hidden_0_or_1);
  }
}

// wifi_scan_done: the callback is released, then called with the table (pcallx).
void finish_scan(core::Device& d, ScanFilter filter, int format) {
  WifiState& s = d.module_state<WifiState>();
  bool found = s.radio.access_point_visible() &&
               (!filter.by_ssid || std::strcmp(filter.ssid, AccessPoint::ssid) == 0) &&
               (!filter.by_bssid || filter.bssid == AccessPoint::bssid) &&
               (filter.channel == 0 || filter.channel == AccessPoint::channel);
  lua::Ref callback = std::move(s.scan_callback);
  d.dispatch(callback, core::Protection::pcallx, [found, format](lua_State* L) {
    lua_newtable(L);
    if (!found) return 1;
    // Plain arrays: lua_pushstring may raise (see mac_text).
    MacText bssid = mac_text(AccessPoint::bssid);
    char line[80];
    if (format == 1) {
      std::snprintf(line, sizeof line, "%s,%d,%d,%d", AccessPoint::ssid, AccessPoint::rssi,
                    AccessPoint::auth, AccessPoint::channel);
      lua::set_string(L, bssid.text, line);
    } else {
      std::snprintf(line, sizeof line, "%d,%d,%s,%d", AccessPoint::auth, AccessPoint::rssi,
                    bssid.text, AccessPoint::channel);
      lua::set_string(L, AccessPoint::ssid, line);
    }
    return 1;
  });
}

// Arguments are normalised to (cfg|nil, format|nil, callback) as wifi.c does.
int sta_getap(lua_State* L) {
  WifiState& s = state(L);
  if (s.radio.mode() == k_softap) return luaL_error(L, wifi_errors::k_can_t_list_ap_in_softap);
  ScanFilter filter;
  if (lua_type(L, 1) == LUA_TTABLE) {
    parse_scan_config(L, filter);
    lua_settop(L, 3);
    if (lua_isfunction(L, 2)) {
      lua_pushnil(L);
      lua_insert(L, 2);
    }
  } else if (lua_type(L, 1) == LUA_TNUMBER) {
    lua_pushnil(L);
    lua_insert(L, 1);
  } else if (lua_isfunction(L, 1)) {
    lua_pushnil(L);
    lua_insert(L, 1);
    lua_pushnil(L);
    lua_insert(L, 1);
  } else if (lua_isnil(L, 1)) {
    if (lua_isfunction(L, 2)) {
      lua_pushnil(L);
      lua_insert(L, 2);
    }
  } else {
    return luaL_error(L, wifi_errors::k_wrong_arg_type);
  }
  int format = 0;
  if (lua_type(L, 2) == LUA_TNUMBER) {
    format = static_cast<int>(luaL_checkinteger(L, 2));
    if (format != 0 && format != 1) return luaL_error(L, wifi_errors::k_wrong_arg_type);
  }
  if (!lua_isfunction(L, 3)) {
    s.scan_callback.reset();
    return 0;
  }
  s.scan_callback = lua::Ref(L, 3);
  // A scan already running delivers its result to the newest callback.
  if (!s.scan_timer) {
    core::Device* d = &s.device;
    s.scan_timer.start_after(d->loop(), k_scan_time, [d, filter, format] { finish_scan(*d, filter, format); });
  }
  return 0;
}

}  // namespace

bool boolean_field(lua_State* L, const char* key, const char* not_boolean, bool fallback) {
  lua_getfield(L, 1, key);
  bool value = fallback;
  if (!lua_isnil(L, -1)) {
    if (!lua_isboolean(L, -1)) luaL_argerror(L, 1, not_boolean);
    value = lua_toboolean(L, -1) != 0;
  }
  lua_pop(L, 1);
  return value;
}

int sleeptype(lua_State* L) {
  WifiState& s = state(L);
  if (lua_isnumber(L, 1)) {
    auto type = static_cast<unsigned>(lua_tointeger(L, 1));
    luaL_argcheck(L, type <= 2, 1, "range:0-2");
    s.sleep_type = static_cast<int>(type);
  }
  lua_pushinteger(L, s.sleep_type);
  return 1;
}

void push_station_table(lua_State* L) {
  static const luaL_Reg functions[] = {{"autoconnect", sta_autoconnect},
                                       {"changeap", sta_changeap},
                                       {"clearconfig", sta_clearconfig},
                                       {"config", sta_config},
                                       {"connect", sta_connect},
                                       {"disconnect", sta_disconnect},
                                       {"getap", sta_getap},
                                       {"getapindex", sta_getapindex},
                                       {"getapinfo", sta_getapinfo},
                                       {"getbroadcast", sta_getbroadcast},
                                       {"getconfig", sta_getconfig},
                                       {"getdefaultconfig", sta_getdefaultconfig},
                                       {"gethostname", sta_gethostname},
                                       {"getip", sta_getip},
                                       {"getmac", sta_getmac},
                                       {"getrssi", sta_getrssi},
                                       {"setaplimit", sta_setaplimit},
                                       {"sethostname", sta_sethostname},
                                       {"setip", sta_setip},
                                       {"setmac", sta_setmac},
                                       {"sleeptype", sleeptype},
                                       {"status", sta_status},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  if (core::Device::from(L).options().firmware == 1) adapt_station_table_v1(L);
}

}  // namespace nodemcu_emu::modules::wifi
