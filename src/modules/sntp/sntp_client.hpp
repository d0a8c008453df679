// One sntp.sync in flight: the lookups, the requests on its own UDP pcb with their 1 s retry
// timer, the replies ranked, and the outcome (app/modules/sntp.c's sntp_state_t). No Lua here:
// the binding (sntp.cpp) gets the outcome through a callback and calls the script.
// Owned by a shared_ptr in the module state while the sync is pending; every Asio and timer
// handler holds it weakly, so a reboot (module state dropped) silences them.
#pragma once

#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/device.hpp"
#include "core/timer_handle.hpp"
#include "modules/sntp/ntp.hpp"

namespace nodemcu_emu::sntp {

// What sntp.c keeps in statics between syncs (dropped at reboot, as statics are).
struct Persistent {
  // serverp/server_count: the servers of the last sync; 0 marks a slot whose lookup failed
  // or that sent a kiss-o'-death twice. Emptied when a sync ends without an answer.
  std::vector<std::uint32_t> servers;
  LeapOffset leap;
  Pll pll;
};

struct Outcome {
  int error = 0;                      // 0, or an ntp_err_t code
  std::optional<std::string> detail;  // the error callback's second argument (nil if none)
  TimeVal time;                       // the time the clock was set to
  std::uint32_t server = 0;
  Sample sample;
  std::uint8_t pending_leap = 0;
};

class SntpClient : public std::enable_shared_from_this<SntpClient> {
 public:
  using Done = std::function<void(const Outcome&)>;

  // `on_timeout`: an autorepeat run, which slews small offsets instead of stepping the clock.
  SntpClient(core::Device& d, std::shared_ptr<Persistent> persistent, bool on_timeout, Done done);
  ~SntpClient();
  SntpClient(const SntpClient&) = delete;
  SntpClient& operator=(const SntpClient&) = delete;

  // state_init's udp_bind(any, 0). False when no port is free.
  bool open();
  // sntp_dolookups over `names`, then the requests; an empty list goes straight to sending to
  // the servers already known. May finish (call done) before it returns.
  void start_lookups(std::vector<std::string> names);
  // 2.x sntp.sync("name"): one lookup outside the list; if it fails no server is left and the
  // sync ends as a timeout. Returns false for a name dns_gethostbyname refuses (ERR_ARG).
  bool start_single(const std::string& name);

 private:
  struct Channel;

  void lookup_next();
  void send_next();
  void on_datagram(const std::uint8_t* data, std::size_t n, std::uint32_t from);
  void handle_result();
  void finish(Outcome outcome);
  // rtctime's time, or the time since boot while it is unset (get_zero_base_timeofday).
  TimeVal device_time() const;
  void receive();

  core::Device& device_;
  std::shared_ptr<Persistent> persistent_;
  bool on_timeout_;
  Done done_;
  std::shared_ptr<Channel> channel_;
  core::TimerHandle retry_;
  core::EventLoop::KeepAlive keep_;
  std::vector<std::string> names_;
  std::size_t lookup_pos_ = 0;
  Schedule schedule_;
  Timestamp cookie_;
  std::uint32_t kod_bits_ = 0;
  Best best_;
  bool finished_ = false;
};

}  // namespace nodemcu_emu::sntp
