// The simulated ESP8266 radio behind the wifi module: operating mode, a station that associates
// with one simulated access point and leases an IP, and the device's own soft AP. It raises the
// SDK's events (System_Event_t) on the device's Clock; it knows nothing of Lua.
//
// The access point is what --wifi says: ok (the station was already connected when the device
// booted), wrong-password or no-ap (every attempt fails, auto-reconnect retries for ever), or
// drop-after=S (the AP vanishes S seconds into the run: beacon timeout, then no AP found).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/timer_handle.hpp"
#include "core/event_loop.hpp"
#include "nodemcu_emu/options.hpp"

namespace nodemcu_emu::core {
class Device;
}

namespace nodemcu_emu::modules::wifi {

using core::Micros;
using Mac = std::array<std::uint8_t, 6>;
using Ip4 = std::uint32_t;  // a.b.c.d as (a << 24) | (b << 16) | (c << 8) | d; 0 = none

struct IpInfo {
  Ip4 ip = 0;
  Ip4 netmask = 0;
  Ip4 gateway = 0;
};

// SDK values (user_interface.h), as the Lua constants expose them.
enum Mode : int { k_null_mode = 0, k_station = 1, k_softap = 2, k_stationap = 3 };
enum Status : int {
  k_idle = 0,
  k_connecting = 1,
  k_wrong_password = 2,
  k_no_ap_found = 3,
  k_connect_fail = 4,
  k_got_ip = 5,
  k_not_station = 255,  // the SDK's answer when the station interface is off
};
enum EventId : int {
  k_sta_connected = 0,
  k_sta_disconnected = 1,
  k_sta_authmode_change = 2,
  k_sta_got_ip = 3,
  k_sta_dhcp_timeout = 4,
  k_ap_staconnected = 5,
  k_ap_stadisconnected = 6,
  k_ap_probereqrecved = 7,
  k_opmode_changed = 8,
  k_ap_distribute_sta_ip = 9,
  k_event_max = 10,
};
enum Reason : int {
  k_reason_assoc_leave = 8,
  k_reason_beacon_timeout = 200,
  k_reason_no_ap_found = 201,
  k_reason_auth_fail = 202,
};
enum Auth : int {
  k_auth_open = 0,
  k_auth_wpa_psk = 2,
  k_auth_wpa2_psk = 3,
  k_auth_wpa_wpa2_psk = 4
};

// One System_Event_t: which fields mean something depends on `id`.
struct WifiEvent {
  int id = 0;
  std::string ssid;
  Mac bssid{};
  int channel = 0;
  int reason = 0;
  IpInfo ip;
  int old_mode = 0;  // also old_auth_mode
  int new_mode = 0;  // also new_auth_mode
  Mac mac{};         // a soft AP client
  int aid = 0;
  int rssi = 0;
};

struct StationConfig {
  std::string ssid;
  std::string pwd;
  bool bssid_set = false;
  Mac bssid{};
};

struct SoftApConfig {
  std::string ssid;
  std::string pwd;
  int auth = k_auth_open;
  int channel = 1;
  bool hidden = false;
  int max_connections = 4;
  int beacon_ms = 100;
};

// The simulated access point the station can join.
struct AccessPoint {
  static constexpr const char* ssid = "nodemcu-emu";
  static constexpr const char* pwd = "emulator";
  static constexpr Mac bssid{0x02, 0x4e, 0x4d, 0x55, 0x00, 0x01};
  static constexpr int channel = 6;
  static constexpr int rssi = -55;
  static constexpr int auth = k_auth_wpa2_psk;
};

// Who hears the radio's events (the wifi.eventmon module).
class RadioListener {
 public:
  virtual ~RadioListener() = default;
  // True while some event callback is registered: only then does the radio arm timers for its
  // next transition (otherwise it catches up when asked, and a script without callbacks can end).
  virtual bool listening() const = 0;
  virtual void on_event(const WifiEvent& event) = 0;
};

class Radio {
 public:
  Radio(core::Device& device, RadioListener& listener);
  ~Radio();
  Radio(const Radio&) = delete;
  Radio& operator=(const Radio&) = delete;

  // --- operating mode ---
  int mode();
  int default_mode() const { return default_mode_; }
  void set_mode(int mode, bool save);

  // --- station ---
  int status();
  std::optional<IpInfo> station_ip();  // nullopt until DHCP (or a static IP) gave one
  std::optional<int> rssi();           // nullopt while not associated
  int channel();
  // wifi.sta.config: false (nothing changes) when the station interface is off.
  bool configure(const StationConfig& config, bool save, bool auto_connect);
  bool clear_config();
  const StationConfig& config() const { return config_; }
  const StationConfig& saved_config() const { return saved_config_; }
  void set_auto_connect(bool on) { auto_connect_ = on; }
  void connect();
  void disconnect();
  // wifi.sta.setip: a static address; the DHCP client stops.
  bool set_static_ip(const IpInfo& info);
  // What a scan finds (nothing in no-ap mode or once the AP vanished).
  bool access_point_visible();

  // --- soft AP ---
  bool softap_on() { return (mode() & k_softap) != 0; }
  std::optional<IpInfo> softap_ip();
  IpInfo& softap_ip_config() { return softap_ip_; }
  SoftApConfig softap_config;
  SoftApConfig saved_softap_config;

  // --- addresses ---
  Mac station_mac;
  Mac softap_mac;

  // Brings the station up to now before a callback is (un)registered: what happened earlier
  // is not heard by the new callback.
  void catch_up() { sync(); }
  // The listener started or stopped listening: (re)arm or cancel the timer.
  void listening_changed();

 private:
  enum class Phase { idle, connecting, associated, got_ip };
  enum class Step {
    association_done,    // the AP accepted us: STA_CONNECTED
    dhcp_done,           // lease: STA_GOT_IP
    attempt_failed,      // STA_DISCONNECTED with fail_reason_, then the next attempt
    announce_connected,  // booted connected: the SDK's events arrive after init.lua starts
    announce_got_ip,
  };
  struct Pending {
    Micros at;
    Step step;
  };

  void sync();  // advances the station to the Clock's now
  void advance_to(Micros now);
  std::optional<Micros> next_due() const;
  void run_step(const Pending& p);
  void lose_access_point(Micros at);
  void start_attempt(Micros at);
  void drop_link(int reason, Micros at);  // association lost or left: STA_DISCONNECTED
  void rearm();
  void emit(const WifiEvent& event, Micros at);
  bool associated() const { return phase_ == Phase::associated || phase_ == Phase::got_ip; }
  bool ap_present(Micros at) const { return at < ap_gone_at_; }
  IpInfo lease() const;
  WifiEvent disconnected_event(int reason, bool with_bssid) const;
  WifiEvent connected_event() const;
  WifiEvent got_ip_event() const;

  core::Device& device_;
  RadioListener& listener_;
  WifiScenario::Network network_;
  Micros ap_gone_at_;
  int mode_ = k_station;
  int default_mode_ = k_station;
  StationConfig config_;
  StationConfig saved_config_;
  bool auto_connect_ = true;
  bool retrying_ = false;  // a failed attempt left status at its failure code
  Phase phase_ = Phase::idle;
  int status_ = k_idle;
  IpInfo ip_;
  std::optional<IpInfo> static_ip_;
  IpInfo softap_ip_;
  int fail_reason_ = 0;
  std::optional<Pending> pending_;
  core::TimerHandle timer_;
  Micros timer_at_{0};
};

// "5c:cf:7f:a1:b2:c3" (the SDK's MACSTR) and back: like ets_str2macaddr, six hex pairs with any
// separator ("AA:BB:..", "AA-BB-..", "AA BB .."); the caller has checked the length is 17.
std::string format_mac(const Mac& mac);
Mac parse_mac(std::string_view text);
std::string format_ip(Ip4 ip);
// The same texts in plain arrays, for pushing to Lua: a std::string temporary would be alive
// while lua_pushstring may raise (out of memory), and the longjmp would skip its destructor.
struct MacText {
  char text[18];
};
struct IpText {
  char text[16];
};
MacText mac_text(const Mac& mac);
IpText ip_text(Ip4 ip);
// lwIP's ipaddr_addr(): inet_aton forms ("10.1", "0x7f.1"...); IPADDR_NONE when unparsable.
constexpr Ip4 k_ipaddr_none = 0xFFFFFFFFu;
Ip4 parse_ip(const std::string& text);

}  // namespace nodemcu_emu::modules::wifi
