// wifi (spec/others.md, wifi.c): the module table, the radio-wide functions and the helpers the
// station, soft AP and event monitor files share.
#include <cctype>
#include <cstdio>

#include "lua/fields.hpp"
#include "modules/wifi/wifi_errors.hpp"
#include "modules/wifi/wifi_internal.hpp"
#include "modules/wifi/wifi_state.hpp"

namespace wifi_errors = nodemcu_emu::modules::wifi::errors;

namespace nodemcu_emu::modules::wifi {

int push_ip_info(lua_State* L, const std::optional<IpInfo>& info) {
  if (!info || info->ip == 0) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushstring(L, ip_text(info->ip).text);
  lua_pushstring(L, ip_text(info->netmask).text);
  lua_pushstring(L, ip_text(info->gateway).text);
  return 3;
}

int push_broadcast(lua_State* L, const std::optional<IpInfo>& info) {
  if (!info || info->ip == 0) {
    lua_pushnil(L);
    return 1;
  }
  Ip4 broadcast = ~info->netmask | (info->netmask & info->ip);
  lua_pushstring(L, ip_text(broadcast).text);
  return 1;
}

void uart_print(const std::string& text) {
  std::fflush(stdout);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

int push_mac(lua_State* L, Mac Radio::*which) {
  lua_pushstring(L, mac_text(state(L).radio.*which).text);
  return 1;
}

int set_mac(lua_State* L, Mac Radio::*which) {
  size_t len = 0;
  const char* text = luaL_checklstring(L, 1, &len);
  luaL_argcheck(L, len == 17, 1, k_invalid_mac);
  Mac mac = parse_mac(std::string_view(text, len));
  bool ok = (mac[0] & 1) == 0;  // the SDK refuses a multicast address
  if (ok) state(L).radio.*which = mac;
  lua_pushboolean(L, ok);
  return 1;
}

bool station_has_ip(core::Device& device) {
  return device.module_state<WifiState>().radio.station_ip().has_value();
}

namespace {

int wifi_setmode(lua_State* L) {
  auto mode = static_cast<unsigned>(luaL_checkinteger(L, 1));
  luaL_argcheck(L, mode <= k_stationap, 1, "Invalid mode");
  bool save = true;
  if (!lua_isnoneornil(L, 2)) {
    luaL_checktype(L, 2, LUA_TBOOLEAN);
    save = lua_toboolean(L, 2) != 0;
  }
  Radio& radio = state(L).radio;
  radio.set_mode(static_cast<int>(mode), save);
  lua_pushinteger(L, radio.mode());
  return 1;
}

int wifi_getmode(lua_State* L) {
  lua_pushinteger(L, state(L).radio.mode());
  return 1;
}

int wifi_getdefaultmode(lua_State* L) {
  lua_pushinteger(L, state(L).radio.default_mode());
  return 1;
}

int wifi_getchannel(lua_State* L) {
  lua_pushinteger(L, state(L).radio.channel());
  return 1;
}

int wifi_setphymode(lua_State* L) {
  auto mode = static_cast<unsigned>(luaL_checkinteger(L, 1));
  if (mode < 1 || mode > 3) return luaL_error(L, wifi_errors::k_wrong_arg_type);
  WifiState& s = state(L);
  s.phymode = static_cast<int>(mode);
  lua_pushinteger(L, s.phymode);
  return 1;
}

int wifi_getphymode(lua_State* L) {
  lua_pushinteger(L, state(L).phymode);
  return 1;
}

// wifi.c returns 1 without pushing anything: the caller gets its last argument back.
int wifi_setmaxtxpower(lua_State* L) {
  auto power = static_cast<unsigned>(luaL_checkinteger(L, 1));
  luaL_argcheck(L, power > 0 && power < 83, 1, "tx power out of range (0->82)");
  return 1;
}

int wifi_getcountry(lua_State* L) {
  const auto& c = state(L).country;
  lua_newtable(L);
  lua::set_string(L, "country", c.cc);
  lua::set_integer(L, "start_ch", c.start_ch);
  lua::set_integer(L, "end_ch", c.end_ch);
  lua::set_integer(L, "policy", c.policy);
  return 1;
}

// Upper-cased into `cc` (3 bytes with the NUL): a plain array, as a Lua error may unwind here.
void parse_country_code(lua_State* L, char* cc) {
  lua_getfield(L, 1, "country");
  if (!lua_isnil(L, -1)) {
    if (!lua_isstring(L, -1)) luaL_argerror(L, 1, wifi_errors::k_country_must_be_string);
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    auto alpha = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; };
    luaL_argcheck(L, len == 2 && alpha(s[0]) && alpha(s[1]), 1,
                  "country: country code must be 2 chars");
    for (int i = 0; i < 2; ++i)
      cc[i] = static_cast<unsigned char>(s[i]) >= 0x61 ? static_cast<char>(s[i] - 32) : s[i];
  }
  lua_pop(L, 1);
}

// A numeric field of setcountry's table; absent → `fallback`.
int country_number(lua_State* L, const char* key, const char* not_number, int fallback) {
  lua_getfield(L, 1, key);
  int value = fallback;
  if (!lua_isnil(L, -1)) {
    if (!lua_isnumber(L, -1)) luaL_argerror(L, 1, not_number);
    value = static_cast<std::uint8_t>(luaL_checkinteger(L, -1));
  }
  lua_pop(L, 1);
  return value;
}

int wifi_setcountry(lua_State* L) {
  if (!lua_istable(L, 1)) return luaL_argerror(L, 1, wifi_errors::k_table_not_found);
  char cc[3] = {'C', 'N', 0};
  parse_country_code(L, cc);
  int start_ch = country_number(L, "start_ch", "start_ch: must be a number", 1);
  luaL_argcheck(L, start_ch >= 1 && start_ch <= 14, 1, "start_ch: Range:1-14");
  int end_ch = country_number(L, "end_ch", "end_ch: must be a number", -1);
  if (end_ch == -1) {
    end_ch = 13;  // unchecked: start_ch 14 then gives an empty range, as in wifi.c
  } else {
    luaL_argcheck(L, end_ch >= 1 && end_ch <= 14, 1, "end_ch: Range:1-14");
    luaL_argcheck(L, end_ch >= start_ch, 1, "end_ch: can't be less than start_ch");
  }
  int policy = country_number(L, "policy", "policy: must be a number", 0);
  luaL_argcheck(L, policy == 0 || policy == 1, 1, "policy: must be 0 or 1");
  state(L).country = {cc, start_ch, end_ch, policy};
  lua_pushboolean(L, 1);
  return 1;
}

// PMSLEEP_ENABLE is off in the firmware's user_config.h.
constexpr const char* k_pmsleep_note =
    "\n The option \"PMSLEEP_ENABLE\" in \"app/include/user_config.h\" was disabled during FW "
    "build!\n";

int wifi_suspend(lua_State* L) {
  uart_print(k_pmsleep_note);
  return luaL_error(L, wifi_errors::k_wifi_suspend_is_unavailable);
}

int wifi_resume(lua_State* L) {
  uart_print(k_pmsleep_note);
  return luaL_error(L, wifi_errors::k_wifi_suspend_is_unavailable);  // sic: one message for both
}

int wifi_nullmodesleep(lua_State* L) {
  WifiState& s = state(L);
  if (!lua_isnone(L, 1)) s.null_mode_sleep = lua_toboolean(L, 1) != 0;
  lua_pushboolean(L, s.null_mode_sleep);
  return 1;
}

// wifi.sleep([0|1]) (1.5.4.1, wifi.c wifi_sleep): 1 forces modem sleep — the station leaves
// its AP, the mode becomes NULLMODE (saved, as wifi_set_opmode saves) and the flag is set;
// 0 clears the flag (the mode stays NULLMODE: waking does not restore it); anything else only
// reports. Returns the flag as a number and nil; the SDK's failure (nil, code) needs a chip
// that refuses to sleep in NULL_MODE, which this one never does.
int wifi_sleep_v1(lua_State* L) {
  int desired = 2;
  if (lua_isnumber(L, 1)) {
    lua_Number n = lua_tonumber(L, 1);
    if (n == 0) desired = 0;
    if (n == 1) desired = 1;
  }
  WifiState& s = state(L);
  if (!s.forced_sleep && desired == 1) {
    int mode = s.radio.mode();
    if (mode == k_station || mode == k_stationap) s.radio.disconnect();
    s.radio.set_mode(k_null_mode, true);
    s.forced_sleep = true;  // wifi_fpm_do_sleep returns 0
  } else if (s.forced_sleep && desired == 0) {
    s.forced_sleep = false;  // wifi_fpm_do_wakeup
  }
  lua_pushnumber(L, s.forced_sleep ? 1 : 0);
  lua_pushnil(L);
  return 2;
}

void set_wifi_constants(lua_State* L) {
  lua::set_constants(L, {
                            {"NULLMODE", k_null_mode},
                            {"STATION", k_station},
                            {"SOFTAP", k_softap},
                            {"STATIONAP", k_stationap},
                            {"PHYMODE_B", 1},
                            {"PHYMODE_G", 2},
                            {"PHYMODE_N", 3},
                            {"NONE_SLEEP", 0},
                            {"LIGHT_SLEEP", 1},
                            {"MODEM_SLEEP", 2},
                            {"OPEN", k_auth_open},
                            {"WPA_PSK", k_auth_wpa_psk},
                            {"WPA2_PSK", k_auth_wpa2_psk},
                            {"WPA_WPA2_PSK", k_auth_wpa_wpa2_psk},
                            {"STA_IDLE", k_idle},
                            {"STA_CONNECTING", k_connecting},
                            {"STA_WRONGPWD", k_wrong_password},
                            {"STA_APNOTFOUND", k_no_ap_found},
                            {"STA_FAIL", k_connect_fail},
                            {"STA_GOTIP", k_got_ip},
                            {"COUNTRY_AUTO", 0},
                            {"COUNTRY_MANUAL", 1},
                        });
}

}  // namespace

}  // namespace nodemcu_emu::modules::wifi

namespace nodemcu_emu::modules {

int open_wifi(lua_State* L) {
  using namespace wifi;
  core::Device& device = core::Device::from(L);
  device.set_station_probe([&device] { return station_has_ip(device); });
  static const luaL_Reg functions[] = {{"setmode", wifi_setmode},
                                       {"getmode", wifi_getmode},
                                       {"getdefaultmode", wifi_getdefaultmode},
                                       {"getchannel", wifi_getchannel},
                                       {"getcountry", wifi_getcountry},
                                       {"setcountry", wifi_setcountry},
                                       {"setphymode", wifi_setphymode},
                                       {"getphymode", wifi_getphymode},
                                       {"setmaxtxpower", wifi_setmaxtxpower},
                                       {"suspend", wifi_suspend},
                                       {"resume", wifi_resume},
                                       {"nullmodesleep", wifi_nullmodesleep},
                                       {"sleeptype", sleeptype},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  push_station_table(L);
  lua_setfield(L, -2, "sta");
  push_softap_table(L);
  lua_setfield(L, -2, "ap");
  push_eventmon_table(L);
  lua_setfield(L, -2, "eventmon");
  set_wifi_constants(L);
  if (device.options().firmware == 1) {
    // Not in 1.5.4.1's wifi_map (wifi.c@1.5.4.1-master_20161201): they came with 2.x.
    lua::remove_fields(L, {"getcountry", "setcountry", "setmaxtxpower", "suspend", "resume",
                           "COUNTRY_AUTO", "COUNTRY_MANUAL"});
    // 1.5.4.1's forced modem sleep (2.x replaced it by suspend/resume).
    lua_pushcfunction(L, wifi_sleep_v1);
    lua_setfield(L, -2, "sleep");
    // Nor is the mode-change event in 1.5.4.1's wifi_eventmon.c.
    lua_getfield(L, -1, "eventmon");
    lua::remove_fields(L, {"WIFI_MODE_CHANGED"});
    lua_pop(L, 1);
  }
  // The radio starts with the chip, not with the first wifi call: --wifi's boot state holds
  // even for a script that only asks later.
  state(L);
  return 1;
}

}  // namespace nodemcu_emu::modules
