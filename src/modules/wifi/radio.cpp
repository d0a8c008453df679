#include "modules/wifi/radio.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstdio>

#include "core/device.hpp"
#include "core/station.hpp"

namespace nodemcu_emu::modules::wifi {

namespace {

using namespace std::chrono_literals;

// How long the steps of a connection take on the Clock. A real station associates in about a
// second and has its DHCP lease a second or two later; a wrong password shows after the 4-way
// handshake times out, a missing AP after a scan of every channel.
constexpr Micros k_association_time = 1s;
constexpr Micros k_dhcp_time = 1s;
constexpr Micros k_auth_fail_time = 2s;
constexpr Micros k_scan_fail_time = 3s;
// Booted already connected: the events the SDK raised during boot reach the script shortly
// after it starts (they are queued until the Lua state runs).
constexpr Micros k_boot_connected_event = 100ms;
constexpr Micros k_boot_got_ip_event = 200ms;

constexpr Ip4 ip4(int a, int b, int c, int d) {
  return (static_cast<Ip4>(a) << 24) | (static_cast<Ip4>(b) << 16) | (static_cast<Ip4>(c) << 8) |
         static_cast<Ip4>(d);
}

Micros drop_time(const WifiScenario& wifi) {
  if (!wifi.drop_after_seconds) return Micros::max();
  return Micros(static_cast<long long>(*wifi.drop_after_seconds * 1e6));
}

char hex_digit(int v) {
  return "0123456789ABCDEF"[v & 15];
}

}  // namespace

MacText mac_text(const Mac& mac) {
  MacText t;
  std::snprintf(t.text, sizeof t.text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                mac[3], mac[4], mac[5]);
  return t;
}

std::string format_mac(const Mac& mac) {
  return mac_text(mac).text;
}

// ets_str2macaddr reads six hex pairs and skips the separator after each.
Mac parse_mac(std::string_view text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
  };
  Mac mac{};
  for (std::size_t i = 0; i < 6 && i * 3 + 1 < text.size(); ++i)
    mac[i] = static_cast<std::uint8_t>(nibble(text[i * 3]) << 4 | nibble(text[i * 3 + 1]));
  return mac;
}

IpText ip_text(Ip4 ip) {
  IpText t;
  std::snprintf(t.text, sizeof t.text, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
                ip & 255);
  return t;
}

std::string format_ip(Ip4 ip) {
  return ip_text(ip).text;
}

Ip4 parse_ip(const std::string& text) {
  in_addr addr{};
  if (inet_aton(text.c_str(), &addr) == 0) return k_ipaddr_none;
  return ntohl(addr.s_addr);
}

Radio::Radio(core::Device& device, RadioListener& listener)
    : station_mac(core::station_info(device).mac),
      softap_mac(core::softap_mac(core::station_info(device))),
      device_(device),
      listener_(listener),
      network_(device.options().wifi.network),
      ap_gone_at_(drop_time(device.options().wifi)) {
  // The flash holds a station config for the simulated AP, with auto-connect on.
  config_ = {AccessPoint::ssid, AccessPoint::pwd, false, {}};
  saved_config_ = config_;
  // The SDK's default soft AP: open, named after the AP MAC's last three bytes.
  std::string name = "ESP_";
  for (int i = 3; i < 6; ++i) {
    name += hex_digit(softap_mac[static_cast<std::size_t>(i)] >> 4);
    name += hex_digit(softap_mac[static_cast<std::size_t>(i)]);
  }
  softap_config.ssid = name;
  saved_softap_config = softap_config;
  softap_ip_ = {ip4(192, 168, 4, 1), ip4(255, 255, 255, 0), ip4(192, 168, 4, 1)};

  Micros boot = device_.loop().now();
  if (network_ == WifiScenario::Network::ok && ap_present(boot)) {
    // Booted connected: status 5 and an IP from the first line of init.lua.
    phase_ = Phase::got_ip;
    status_ = k_got_ip;
    ip_ = lease();
    pending_ = Pending{boot + k_boot_connected_event, Step::announce_connected};
  } else {
    start_attempt(boot);
  }
}

Radio::~Radio() = default;

// The lease: the address the emulator serves its sockets on (--bind), as net reports it too.
IpInfo Radio::lease() const {
  core::StationInfo info = core::station_info(device_);
  return {info.ip, info.netmask, info.gateway};
}

// --- time ---

void Radio::sync() {
  advance_to(device_.loop().now());
}

std::optional<Micros> Radio::next_due() const {
  std::optional<Micros> due;
  if (pending_) due = pending_->at;
  if (associated() && ap_gone_at_ != Micros::max() && (!due || ap_gone_at_ <= *due))
    due = ap_gone_at_;
  return due;
}

// Runs every step due by `now` at its own time, so a station nobody listened to (no timer was
// armed) ends up exactly where the timed one would be. Every step but the last moves time on.
void Radio::advance_to(Micros now) {
  while (auto due = next_due()) {
    if (*due > now) break;
    if (associated() && ap_gone_at_ == *due && (!pending_ || ap_gone_at_ <= pending_->at)) {
      lose_access_point(*due);
      continue;
    }
    Pending p = *pending_;
    pending_.reset();
    run_step(p);
  }
}

void Radio::rearm() {
  auto due = listener_.listening() ? next_due() : std::nullopt;
  if (timer_ && (!due || *due != timer_at_)) timer_.cancel();
  if (!due || timer_) return;
  timer_at_ = *due;
  timer_.start_at(device_.loop(), *due, [this] {
    sync();
    rearm();
  });
}

void Radio::listening_changed() {
  sync();
  rearm();
}

// --- the station's steps ---

void Radio::start_attempt(Micros at) {
  phase_ = Phase::connecting;
  if (!retrying_) status_ = k_connecting;
  bool ssid_ok =
      !config_.ssid.empty() && (!config_.bssid_set || config_.bssid == AccessPoint::bssid);
  if (!ap_present(at) || !ssid_ok || network_ == WifiScenario::Network::no_ap) {
    fail_reason_ = k_reason_no_ap_found;
    pending_ = Pending{at + k_scan_fail_time, Step::attempt_failed};
  } else if (network_ == WifiScenario::Network::wrong_password) {
    fail_reason_ = k_reason_auth_fail;
    pending_ = Pending{at + k_auth_fail_time, Step::attempt_failed};
  } else {
    pending_ = Pending{at + k_association_time, Step::association_done};
  }
}

void Radio::run_step(const Pending& p) {
  switch (p.step) {
    case Step::association_done: {
      if (!ap_present(p.at)) {  // vanished while we were joining it
        fail_reason_ = k_reason_no_ap_found;
        run_step({p.at, Step::attempt_failed});
        return;
      }
      phase_ = Phase::associated;
      emit(connected_event(), p.at);
      // A static address needs no DHCP round trip.
      pending_ = Pending{p.at + (static_ip_ ? Micros(0) : k_dhcp_time), Step::dhcp_done};
      return;
    }
    case Step::dhcp_done:
      phase_ = Phase::got_ip;
      status_ = k_got_ip;
      retrying_ = false;
      ip_ = static_ip_ ? *static_ip_ : lease();
      emit(got_ip_event(), p.at);
      return;
    case Step::attempt_failed:
      // The SDK reports the failure and its reconnect policy tries again at once.
      status_ = fail_reason_ == k_reason_auth_fail ? k_wrong_password : k_no_ap_found;
      retrying_ = true;
      emit(disconnected_event(fail_reason_, fail_reason_ == k_reason_auth_fail), p.at);
      start_attempt(p.at);
      return;
    case Step::announce_connected:
      emit(connected_event(), p.at);
      pending_ =
          Pending{p.at + (k_boot_got_ip_event - k_boot_connected_event), Step::announce_got_ip};
      return;
    case Step::announce_got_ip:
      emit(got_ip_event(), p.at);
      return;
  }
}

// The AP stopped sending beacons: the link drops and the station goes looking for it again.
void Radio::lose_access_point(Micros at) {
  pending_.reset();
  drop_link(k_reason_beacon_timeout, at);
  start_attempt(at);
}

void Radio::drop_link(int reason, Micros at) {
  bool was_associated = associated();
  phase_ = Phase::idle;
  status_ = k_idle;
  ip_ = {};
  if (was_associated) emit(disconnected_event(reason, true), at);
}

WifiEvent Radio::disconnected_event(int reason, bool with_bssid) const {
  WifiEvent e;
  e.id = k_sta_disconnected;
  e.ssid = config_.ssid;
  e.reason = reason;
  if (with_bssid) e.bssid = AccessPoint::bssid;
  return e;
}

WifiEvent Radio::connected_event() const {
  WifiEvent e;
  e.id = k_sta_connected;
  e.ssid = config_.ssid;
  e.bssid = AccessPoint::bssid;
  e.channel = AccessPoint::channel;
  return e;
}

WifiEvent Radio::got_ip_event() const {
  WifiEvent e;
  e.id = k_sta_got_ip;
  e.ip = ip_;
  return e;
}

// `at` is when it happened: a station caught up late raises its events with their own times.
void Radio::emit(const WifiEvent& event, Micros at) {
  if (device_.trace().enabled()) {
    static constexpr const char* names[] = {
        "sta_connected",     "sta_disconnected",    "sta_authmode_change", "sta_got_ip",
        "sta_dhcp_timeout",  "ap_staconnected",     "ap_stadisconnected",  "ap_probereqrecved",
        "wifi_mode_changed", "ap_distribute_sta_ip"};
    const char* name = event.id >= 0 && event.id < k_event_max ? names[event.id] : "event";
    if (event.id == k_sta_disconnected)
      device_.trace().emit(at, "wifi", name, {{"reason", event.reason}});
    else
      device_.trace().emit(at, "wifi", name);
  }
  listener_.on_event(event);
}

// --- the API ---

int Radio::mode() {
  sync();
  return mode_;
}

void Radio::set_mode(int mode, bool save) {
  sync();
  int old = mode_;
  if (save) default_mode_ = mode;
  if (mode == old) return;
  mode_ = mode;
  bool station_was_on = (old & k_station) != 0;
  bool station_on = (mode & k_station) != 0;
  if (station_was_on && !station_on) {
    pending_.reset();
    drop_link(k_reason_assoc_leave, device_.loop().now());
    retrying_ = false;
  }
  WifiEvent changed;
  changed.id = k_opmode_changed;
  changed.old_mode = old;
  changed.new_mode = mode;
  emit(changed, device_.loop().now());
  if (!station_was_on && station_on && auto_connect_) start_attempt(device_.loop().now());
  rearm();
}

int Radio::status() {
  sync();
  if (!(mode_ & k_station)) return k_not_station;
  return status_;
}

std::optional<IpInfo> Radio::station_ip() {
  sync();
  if (phase_ != Phase::got_ip || !(mode_ & k_station)) return std::nullopt;
  return ip_;
}

std::optional<int> Radio::rssi() {
  sync();
  if (!associated()) return std::nullopt;
  return AccessPoint::rssi;
}

int Radio::channel() {
  sync();
  if (associated()) return AccessPoint::channel;
  if (mode_ & k_softap) return softap_config.channel;
  return 1;
}

bool Radio::access_point_visible() {
  sync();
  Micros now = device_.loop().now();
  return ap_present(now) && network_ != WifiScenario::Network::no_ap;
}

void Radio::connect() {
  sync();
  if (!(mode_ & k_station) || phase_ != Phase::idle) return;
  start_attempt(device_.loop().now());
  rearm();
}

void Radio::disconnect() {
  sync();
  pending_.reset();
  retrying_ = false;
  drop_link(k_reason_assoc_leave, device_.loop().now());
  rearm();
}

bool Radio::configure(const StationConfig& config, bool save, bool auto_connect) {
  sync();
  if (!(mode_ & k_station)) return false;
  disconnect();
  config_ = config;
  if (save) saved_config_ = config;
  auto_connect_ = auto_connect;
  if (auto_connect) connect();
  return true;
}

bool Radio::clear_config() {
  sync();
  disconnect();
  if (!(mode_ & k_station)) return false;
  config_ = {};
  saved_config_ = {};
  auto_connect_ = false;
  return true;
}

bool Radio::set_static_ip(const IpInfo& info) {
  sync();
  static_ip_ = info;
  if (phase_ == Phase::got_ip) ip_ = info;
  return true;
}

std::optional<IpInfo> Radio::softap_ip() {
  if (!softap_on()) return std::nullopt;
  return softap_ip_;
}

}  // namespace nodemcu_emu::modules::wifi
