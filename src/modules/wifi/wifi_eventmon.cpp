// wifi.eventmon (wifi_eventmon.c): SDK events reach Lua callbacks through a queue drained by a
// low-priority task, one event per task; callbacks run under luaL_pcallx.
#include <cstdio>

#include "lua/fields.hpp"
#include "modules/wifi/wifi_errors.hpp"
#include "modules/wifi/wifi_internal.hpp"

namespace wifi_errors = nodemcu_emu::modules::wifi::errors;

namespace nodemcu_emu::modules::wifi {

namespace {

// The events the catch-all EVENT_MAX callback does not get (they have their own slots).
bool implemented(int id) {
  return id >= k_sta_connected && id <= k_opmode_changed;
}

void push_event_table(lua_State* L, const WifiEvent& e) {
  lua_newtable(L);
  switch (e.id) {
    case k_sta_connected:
      lua::set_string(L, "SSID", e.ssid);
      lua::set_string(L, "BSSID", mac_text(e.bssid).text);
      lua::set_integer(L, "channel", e.channel);
      break;
    case k_sta_disconnected:
      lua::set_string(L, "SSID", e.ssid);
      lua::set_integer(L, "reason", e.reason);
      lua::set_string(L, "BSSID", mac_text(e.bssid).text);
      break;
    case k_sta_authmode_change:
      lua::set_integer(L, "old_auth_mode", e.old_mode);
      lua::set_integer(L, "new_auth_mode", e.new_mode);
      break;
    case k_sta_got_ip:
      lua::set_string(L, "IP", ip_text(e.ip.ip).text);
      lua::set_string(L, "netmask", ip_text(e.ip.netmask).text);
      lua::set_string(L, "gateway", ip_text(e.ip.gateway).text);
      break;
    case k_sta_dhcp_timeout:
      break;
    case k_ap_staconnected:
    case k_ap_stadisconnected:
      lua::set_string(L, "MAC", mac_text(e.mac).text);
      lua::set_integer(L, "AID", e.aid);
      break;
    case k_ap_probereqrecved:
      lua::set_string(L, "MAC", mac_text(e.mac).text);
      lua::set_integer(L, "RSSI", e.rssi);
      break;
    case k_opmode_changed:
      lua::set_integer(L, "old_mode", e.old_mode);
      lua::set_integer(L, "new_mode", e.new_mode);
      break;
    default: {
      char info[40];  // a plain array: lua_pushstring may raise (see mac_text)
      std::snprintf(info, sizeof info, "event %d not implemented", e.id);
      lua::set_string(L, "info", info);
      break;
    }
  }
}

// The callback for event `id`: its own, or the catch-all for unimplemented events.
const lua::Ref& callback_for(const WifiState& s, int id) {
  if (!s.registered(id) && !implemented(id)) return s.callbacks[k_event_max];
  return s.callbacks[static_cast<std::size_t>(id)];
}

int eventmon_register(lua_State* L) {
  // The firmware truncates the id to 8 bits before checking it.
  auto id = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
  if (id > k_event_max)
    return luaL_error(L, wifi_errors::k_valid_wifi_events_0, static_cast<int>(k_event_max));
  set_event_callback(L, id, 2);
  return 0;
}

void push_reason_table(lua_State* L) {
  static const struct {
    const char* name;
    int value;
  } reasons[] = {
      {"UNSPECIFIED", 1},
      {"AUTH_EXPIRE", 2},
      {"AUTH_LEAVE", 3},
      {"ASSOC_EXPIRE", 4},
      {"ASSOC_TOOMANY", 5},
      {"NOT_AUTHED", 6},
      {"NOT_ASSOCED", 7},
      {"ASSOC_LEAVE", k_reason_assoc_leave},
      {"ASSOC_NOT_AUTHED", 9},
      {"DISASSOC_PWRCAP_BAD", 10},
      {"DISASSOC_SUPCHAN_BAD", 11},
      {"IE_INVALID", 13},
      {"MIC_FAILURE", 14},
      {"4WAY_HANDSHAKE_TIMEOUT", 15},
      {"GROUP_KEY_UPDATE_TIMEOUT", 16},
      {"IE_IN_4WAY_DIFFERS", 17},
      {"GROUP_CIPHER_INVALID", 18},
      {"PAIRWISE_CIPHER_INVALID", 19},
      {"AKMP_INVALID", 20},
      {"UNSUPP_RSN_IE_VERSION", 21},
      {"INVALID_RSN_IE_CAP", 22},
      {"802_1X_AUTH_FAILED", 23},
      {"CIPHER_SUITE_REJECTED", 24},
      {"BEACON_TIMEOUT", k_reason_beacon_timeout},
      {"NO_AP_FOUND", k_reason_no_ap_found},
      {"AUTH_FAIL", k_reason_auth_fail},
      {"ASSOC_FAIL", 203},
      {"HANDSHAKE_TIMEOUT", 204},
  };
  lua_createtable(L, 0, static_cast<int>(std::size(reasons)));
  for (const auto& r : reasons) lua::set_integer(L, r.name, r.value);
}

}  // namespace

WifiState::WifiState(core::Device& d) : device(d), radio(d, *this) {
  // user_config.h has no WIFI_STA_HOSTNAME: "NODE-" and the MAC's last three bytes.
  char name[16];
  std::snprintf(name, sizeof name, "NODE-%02X%02X%02X", radio.station_mac[3], radio.station_mac[4],
                radio.station_mac[5]);
  hostname = name;
}

WifiState::~WifiState() = default;

bool WifiState::listening() const {
  for (int id = k_sta_connected; id <= k_opmode_changed; ++id)
    if (registered(id)) return true;
  return false;
}

// wifi_event_monitor_handle_event_cb: an event nobody registered for is dropped at once.
void WifiState::on_event(const WifiEvent& event) {
  bool wanted = registered(event.id) || (registered(k_event_max) && !implemented(event.id));
  if (!wanted) return;
  queue.push_back(event);
  if (queue.size() == 1) {
    core::Device* d = &device;
    device.tasks().post(core::TaskQueue::low, [d] { d->module_state<WifiState>().dispatch_one(); });
  }
}

void WifiState::dispatch_one() {
  if (queue.empty()) return;
  WifiEvent event = queue.front();
  queue.pop_front();
  if (!queue.empty()) {
    core::Device* d = &device;
    device.tasks().post(core::TaskQueue::low, [d] { d->module_state<WifiState>().dispatch_one(); });
  }
  // Unregistered while queued: the firmware would call garbage; we drop the event.
  device.dispatch(callback_for(*this, event.id), core::Protection::pcallx, [&event](lua_State* L) {
    push_event_table(L, event);
    return 1;
  });
}

WifiState& state(lua_State* L) {
  return core::Device::from(L).module_state<WifiState>();
}

void callback_field(lua_State* L, const char* key, int event, const char* not_function) {
  lua_getfield(L, 1, key);
  if (!lua_isnil(L, -1)) {
    if (!lua_isfunction(L, -1)) luaL_argerror(L, 1, not_function);
    set_event_callback(L, event, lua_gettop(L));
  }
  lua_pop(L, 1);
}

void set_event_callback(lua_State* L, int id, int index) {
  WifiState& s = state(L);
  s.radio.catch_up();
  auto& slot = s.callbacks[static_cast<std::size_t>(id)];
  if (lua_isfunction(L, index))
    slot = lua::Ref(L, index);
  else
    slot.reset();
  s.radio.listening_changed();
}

void push_eventmon_table(lua_State* L) {
  static const luaL_Reg functions[] = {
      {"register", eventmon_register}, {"unregister", eventmon_register}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  lua::set_integer(L, "STA_CONNECTED", k_sta_connected);
  lua::set_integer(L, "STA_DISCONNECTED", k_sta_disconnected);
  lua::set_integer(L, "STA_AUTHMODE_CHANGE", k_sta_authmode_change);
  lua::set_integer(L, "STA_GOT_IP", k_sta_got_ip);
  lua::set_integer(L, "STA_DHCP_TIMEOUT", k_sta_dhcp_timeout);
  lua::set_integer(L, "AP_STACONNECTED", k_ap_staconnected);
  lua::set_integer(L, "AP_STADISCONNECTED", k_ap_stadisconnected);
  lua::set_integer(L, "AP_PROBEREQRECVED", k_ap_probereqrecved);
  lua::set_integer(L, "WIFI_MODE_CHANGED", k_opmode_changed);
  lua::set_integer(L, "EVENT_MAX", k_event_max);
  push_reason_table(L);
  lua_setfield(L, -2, "reason");
}

}  // namespace nodemcu_emu::modules::wifi
