// wifi.sta under --firmware=1: what 1.5.4.1 had and later releases changed or dropped
// (wifi.c, wifi_eventmon.c@1.5.4.1-master_20161201): sta.config's positional form beside its
// table form, getconfig's table without bssid_set, and the station status monitor
// (eventMonReg/eventMonStart/eventMonStop), which polls the status on a timer.
#include <array>
#include <cstring>

#include "core/timer_handle.hpp"
#include "lua/fields.hpp"
#include "modules/wifi/wifi_errors.hpp"
#include "modules/wifi/wifi_internal.hpp"

namespace nodemcu_emu::modules::wifi {

namespace {

namespace wifi_errors = wifi::errors;
constexpr int k_statuses = 6;  // STATION_IDLE .. STATION_GOT_IP

// The station status monitor: one callback per status, called with the previous status when
// the status changes, checked every `ms` (150 by default).
struct StatusMonitor {
  explicit StatusMonitor(core::Device& d) : device(d) {}
  StatusMonitor(const StatusMonitor&) = delete;
  StatusMonitor& operator=(const StatusMonitor&) = delete;

  core::Device& device;
  std::array<lua::Ref, k_statuses> callbacks;
  int previous = 0;  // prev_wifi_status starts at 0 at boot
  core::TimerHandle timer;
  std::uint32_t period_ms = 150;

  void arm() {
    timer.start_after(device.loop(), std::chrono::milliseconds(period_ms), [this] { poll(); });
  }
  void poll();
};

void StatusMonitor::poll() {
  WifiState& w = device.module_state<WifiState>();
  if (w.radio.mode() == k_softap) return;  // wifi_status_cb disarms itself in SOFTAP mode
  arm();
  int status = w.radio.status();
  int before = previous;
  previous = status;
  if (status == before || status < 0 || status >= k_statuses) return;
  // wifi_status_cb calls with lua_call: an error there is a panic, as in net's callbacks.
  device.dispatch(callbacks[static_cast<std::size_t>(status)], core::Protection::unprotected,
                  [before](lua_State* L) {
                    lua_pushnumber(L, before);
                    return 1;
                  });
}

StatusMonitor& monitor(lua_State* L) {
  return core::Device::from(L).module_state<StatusMonitor>();
}

// The positional form ("to be depreciated" in wifi.c): ssid, pwd[, auto (0|1)][, bssid].
// A string third argument is the bssid; the config is saved to flash.
int config_positional(lua_State* L) {
  size_t sl = 0, pl = 0;
  const char* ssid = luaL_checklstring(L, 1, &sl);
  luaL_argcheck(L, sl >= 1 && sl < 32, 1, wifi_errors::k_v1_ssid_length);
  const char* pwd = luaL_checklstring(L, 2, &pl);
  luaL_argcheck(L, pl == 0 || (pl >= 8 && pl < 64), 2, wifi_errors::k_v1_pwd_length);
  bool auto_connect = true;
  if (lua_isnumber(L, 3)) {
    lua_Integer v = luaL_checkinteger(L, 3);
    if (v != 0 && v != 1) return luaL_error(L, wifi_errors::k_wrong_arg_type);
    auto_connect = v == 1;
  } else if (lua_isstring(L, 3)) {
    lua_pushnil(L);
    lua_insert(L, 3);  // the bssid moves to argument 4
  } else if (lua_isnil(L, 3)) {
    return luaL_error(L, wifi_errors::k_wrong_arg_type);  // an explicit nil; nothing is fine
  }
  size_t ml = 0;
  const char* bssid = lua_isstring(L, 4) && !lua_isnumber(L, 4) ? lua_tolstring(L, 4, &ml) : nullptr;
  if (bssid) luaL_argcheck(L, ml == 17, 1, k_invalid_mac);
  StationConfig c{std::string(ssid, sl), std::string(pwd, pl), bssid != nullptr, {}};
  if (bssid) c.bssid = parse_mac(std::string_view(bssid, ml));
  lua_pushboolean(L, state(L).radio.configure(c, true, auto_connect));
  return 1;
}

// A string field of the table at 1, left on the stack (its text stays valid); nullptr if nil.
const char* string_field(lua_State* L, const char* key, const char* not_string, size_t& len) {
  lua_getfield(L, 1, key);
  if (lua_isnil(L, -1)) return nullptr;
  if (!lua_isstring(L, -1)) luaL_argerror(L, 1, not_string);
  return lua_tolstring(L, -1, &len);
}

// 1.5.4.1's table form: no callbacks, a password of 8-64 when given, and `save` false unless
// set (2.x saves by default).
int config_table(lua_State* L) {
  lua_settop(L, 1);
  size_t sl = 0, pl = 0, ml = 0;
  const char* ssid = string_field(L, "ssid", "ssid:not string", sl);
  if (!ssid) return luaL_argerror(L, 1, wifi_errors::k_sta_ssid_required);
  luaL_argcheck(L, sl >= 1 && sl <= 32, 1, wifi_errors::k_v1_table_ssid_length);
  const char* pwd = string_field(L, "pwd", "pwd:not string", pl);
  if (pwd) luaL_argcheck(L, pl >= 8 && pl <= 64, 1, wifi_errors::k_v1_table_pwd_length);
  const char* bssid = string_field(L, "bssid", "bssid:not string", ml);
  if (bssid) luaL_argcheck(L, ml == 17, 1, "bssid: FF:FF:FF:FF:FF:FF");
  bool auto_connect = boolean_field(L, "auto", "auto:not boolean", true);
  bool save = boolean_field(L, "save", "save:not boolean", false);
  StationConfig c{std::string(ssid, sl), pwd ? std::string(pwd, pl) : std::string(),
                  bssid != nullptr, {}};
  if (bssid) c.bssid = parse_mac(std::string_view(bssid, ml));
  lua_pushboolean(L, state(L).radio.configure(c, save, auto_connect));
  return 1;
}

int sta_config_v1(lua_State* L) {
  return lua_istable(L, 1) ? config_table(L) : config_positional(L);
}

// getconfig(true)'s table in 1.5.4.1: pwd only when 8 or more characters, bssid only when set,
// no bssid_set; without true, the four values of every release.
int push_config_v1(lua_State* L, const StationConfig& c) {
  if (!(lua_isboolean(L, 1) && lua_toboolean(L, 1))) {
    lua_pushstring(L, c.ssid.c_str());
    lua_pushstring(L, c.pwd.c_str());
    lua_pushinteger(L, c.bssid_set ? 1 : 0);
    lua_pushstring(L, mac_text(c.bssid).text);
    return 4;
  }
  lua_newtable(L);
  lua::set_string(L, "ssid", c.ssid);
  if (c.pwd.size() >= 8) lua::set_string(L, "pwd", c.pwd);
  if (c.bssid_set) lua::set_string(L, "bssid", mac_text(c.bssid).text);
  return 1;
}

int sta_getconfig_v1(lua_State* L) { return push_config_v1(L, state(L).radio.config()); }
int sta_getdefaultconfig_v1(lua_State* L) { return push_config_v1(L, state(L).radio.saved_config()); }

int sta_event_mon_reg(lua_State* L) {
  // The id is truncated to 8 bits before the check, as wifi_eventmon.c does.
  auto id = static_cast<std::uint8_t>(static_cast<lua_Integer>(luaL_checknumber(L, 1)));
  if (id >= k_statuses) return luaL_error(L, wifi_errors::k_v1_valid_status);
  auto& slot = monitor(L).callbacks[id];
  if (lua_isfunction(L, 2)) slot = lua::Ref(L, 2);
  else slot.reset();  // "unreg" or anything else that is not a function
  return 0;
}

int sta_event_mon_start(lua_State* L) {
  if (state(L).radio.mode() == k_softap) return luaL_error(L, wifi_errors::k_v1_monitor_softap);
  StatusMonitor& m = monitor(L);
  bool any = false;
  for (const auto& cb : m.callbacks) any = any || static_cast<bool>(cb);
  if (!any) return luaL_error(L, wifi_errors::k_v1_no_callbacks);
  std::uint32_t ms = 150;
  if (lua_isnumber(L, 1)) ms = static_cast<std::uint32_t>(luaL_checknumber(L, 1));
  m.period_ms = ms == 0 ? 1 : ms;  // the SDK's timer fires no faster than every millisecond
  m.arm();
  return 0;
}

int sta_event_mon_stop(lua_State* L) {
  StatusMonitor& m = monitor(L);
  m.timer.cancel();
  // Any string argument ("unreg" in the documentation) also drops every callback.
  if (lua_isstring(L, 1))
    for (auto& cb : m.callbacks) cb.reset();
  return 0;
}

}  // namespace

void adapt_station_table_v1(lua_State* L) {
  static const luaL_Reg functions[] = {{"config", sta_config_v1},
                                       {"getconfig", sta_getconfig_v1},
                                       {"getdefaultconfig", sta_getdefaultconfig_v1},
                                       {"eventMonReg", sta_event_mon_reg},
                                       {"eventMonStart", sta_event_mon_start},
                                       {"eventMonStop", sta_event_mon_stop},
                                       {nullptr, nullptr}};
  luaL_register(L, nullptr, functions);
  lua::remove_fields(L, {"clearconfig"});  // wifi.sta.clearconfig came with 2.x
}

}  // namespace nodemcu_emu::modules::wifi
