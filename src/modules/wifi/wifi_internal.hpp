// What the wifi module's files share: the per-device state (the radio and the event monitor's
// queue) and small Lua helpers. Not for other modules (they use wifi_state.hpp).
#pragma once

#include <array>
#include <deque>
#include <string>

#include "core/timer_handle.hpp"
#include "core/device.hpp"
#include "modules/wifi/radio.hpp"

namespace nodemcu_emu::modules::wifi {

// wifi.eventmon: callbacks live in a registry table under this key, indexed by event id.
// wifi.sta.getap's pending callback.

struct WifiState final : RadioListener {
  explicit WifiState(core::Device& d);
  ~WifiState() override;

  bool listening() const override;
  void on_event(const WifiEvent& event) override;
  void dispatch_one();  // the event monitor's task: one queued event to its callback

  core::Device& device;
  // Event callbacks by id; [k_event_max] is the catch-all for events not implemented.
  std::array<lua::Ref, k_event_max + 1> callbacks;
  bool registered(int id) const { return static_cast<bool>(callbacks[static_cast<std::size_t>(id)]); }
  lua::Ref scan_callback;  // wifi.sta.getap's, released before it is called
  std::deque<WifiEvent> queue;  // events waiting for the monitor's task (wifi_eventmon.c)

  // Settings the SDK keeps (per boot here; see docs/wifi.md).
  std::string hostname;
  int phymode = 3;     // PHY_MODE_11N
  int sleep_type = 2;  // MODEM_SLEEP_T, the SDK's default with the station on
  bool null_mode_sleep = true;
  bool forced_sleep = false;  // wifi.sleep (1.5.4.1): FLAG_wifi_force_sleep_enabled
  struct Country {
    std::string cc = "CN";
    int start_ch = 1;
    int end_ch = 13;
    int policy = 0;
  } country;
  bool dhcps_running = true;
  Ip4 dhcps_start = 0;
  core::TimerHandle scan_timer;

  Radio radio;  // last: it is built with this object as its listener
};

WifiState& state(lua_State* L);

// Stores fn at `index` (or clears the slot when it is not a function) as the callback of event
// `id` (wifi_event_monitor_register and the *_cb keys of the config tables).
void set_event_callback(lua_State* L, int id, int index);
// One `*_cb` key of the config table at arg 1: registered at once, like wifi.eventmon.register
// (a config that raises later still leaves the earlier callbacks registered, as on the device).
// A value that is neither nil nor a function raises `not_function` for argument 1.
void callback_field(lua_State* L, const char* key, int event, const char* not_function);

// A boolean field of the config table at arg 1: `fallback` when nil, else it must be a
// boolean (raises `not_boolean` for argument 1).
bool boolean_field(lua_State* L, const char* key, const char* not_boolean, bool fallback);

// Table fields as wifi_add_int_field / wifi_add_sprintf_field set them.
// getip's results: ip, netmask, gateway strings, or a single nil.
int push_ip_info(lua_State* L, const std::optional<IpInfo>& info);
// getbroadcast's result: the broadcast address string, or nil.
int push_broadcast(lua_State* L, const std::optional<IpInfo>& info);
// The SDK's own messages (PMSLEEP note...) go to the UART, not through node.output.
void uart_print(const std::string& text);

// The sub-tables of the module table.
void push_station_table(lua_State* L);
void push_softap_table(lua_State* L);
void push_eventmon_table(lua_State* L);
// Under --firmware=1: turns the station table at -1 into 1.5.4.1's (wifi_sta_v1.cpp).
void adapt_station_table_v1(lua_State* L);

// The firmware's argument error for a MAC string that is not 17 characters.
constexpr const char* k_invalid_mac = "MAC:FF:FF:FF:FF:FF:FF";

// getmac/setmac of either interface: `which` is Radio::station_mac or Radio::softap_mac.
int push_mac(lua_State* L, Mac Radio::*which);
int set_mac(lua_State* L, Mac Radio::*which);

// wifi.sleeptype and wifi.sta.sleeptype share one function.
int sleeptype(lua_State* L);

}  // namespace nodemcu_emu::modules::wifi
