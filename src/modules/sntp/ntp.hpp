// The NTP exchange of the firmware's sntp module, without Lua or sockets: the 48-byte client
// request, the reply's fields, the offset/delay arithmetic (RFC 5905 on-wire, in the firmware's
// 32.32 fixed point), the retry schedule and the leap-second offset. Line references are to
// app/modules/sntp.c at 2.2.1-master_20190405 (3.0.0-release_20240225 computes the same).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace nodemcu_emu::sntp {

constexpr std::uint16_t k_ntp_port = 123;
constexpr std::size_t k_frame_size = 48;         // sizeof(ntp_frame_t)
constexpr std::uint32_t k_ntp_to_unix = 2208988800u;
constexpr int k_max_attempts = 5;                // MAX_ATTEMPTS
constexpr int k_max_sends = 8;                   // attempts * server_count >= 8 ends a sync
constexpr std::uint32_t k_retry_ms = 1000;       // os_timer_arm(&state->timer, 1000, 0)
constexpr std::uint32_t k_repeat_s = 1000;       // autorepeat: os_timer_arm(.., 1000 * 1000, 1)
constexpr std::uint32_t k_anycast = 0xE0000101u; // 224.0.1.1, NTP_ANYCAST_ADDR

// The ntp_err_t codes the error callback receives.
enum Error : int { k_dns_error = 1, k_mem_error = 2, k_send_error = 3, k_timeout_error = 4 };

struct Timestamp {
  std::uint32_t sec = 0;
  std::uint32_t frac = 0;
  std::uint64_t fixed() const { return (std::uint64_t{sec} << 32) | frac; }
  bool operator==(const Timestamp&) const = default;
};

// A time of day as rtctime keeps it.
struct TimeVal {
  std::uint32_t sec = 0;
  std::uint32_t usec = 0;
};

// US_TO_FRAC: microseconds to a 2^-32 fraction through the firmware's div1m approximation
// (sntp.c:65, 163-174), so cookies and receive times carry the device's exact bits.
std::uint32_t us_to_frac(std::uint32_t us);
// FRAC16_TO_US (sntp.c:68).
std::uint32_t frac16_to_us(std::uint64_t frac16);

// The device's clock as an NTP timestamp (sntp.c:368-369, 576-577): rtctime's time less the
// leap-second offset, moved to the NTP era.
Timestamp to_ntp(TimeVal tv, std::uint8_t leap_offset);

// The request sntp_dosend sends (sntp.c:357-373): LI 0, version 4, mode 3 (client), everything
// zero but the transmit timestamp, which is also the cookie the reply must echo.
std::array<std::uint8_t, k_frame_size> build_request(Timestamp xmit);

struct Reply {
  int leap = 0;  // LI
  int version = 0;
  int mode = 0;
  int stratum = 0;
  std::uint32_t root_delay = 0;       // 16.16 seconds, as sent
  std::uint32_t root_dispersion = 0;  // 16.16 seconds, as sent
  std::array<char, 4> refid{};
  Timestamp origin, recv, xmit;
};

// Anything shorter than a frame is no NTP reply (on_recv ignores it, sntp.c:512); longer
// datagrams are read for their first 48 bytes as the firmware does.
std::optional<Reply> parse_reply(const std::uint8_t* data, std::size_t n);

// What one reply says about the device's clock (sntp.c:568-587).
struct Sample {
  std::int64_t delta = 0;           // server time - device time, 32.32 seconds
  std::uint32_t delay_frac = 0;     // round trip less server time, 16.16 (wraps if negative)
  std::uint32_t root_maxerr = 0;    // root_dispersion + root_delay / 2, 16.16
  std::uint32_t root_delay = 0;
  std::uint32_t root_dispersion = 0;
  int stratum = 0;
  int leap = 0;
};
Sample measure(const Reply& r, Timestamp dest);

// record_result's ranking (sntp.c:460-485): the smallest root_delay * 2 + delay wins; the first
// sample always does. (Its 25% bonus for the last server never applies: the firmware passes a
// boolean where the server index belongs, and the index is -1 during a sync.)
class Best {
 public:
  // Returns whether `s` from server `ip` became the best.
  bool offer(const Sample& s, std::uint32_t ip);
  bool any() const { return sample_.stratum != 0; }
  const Sample& sample() const { return sample_; }
  std::uint32_t server() const { return server_; }

 private:
  Sample sample_;
  std::uint32_t rank_ = 0;
  std::uint32_t server_ = 0;
};

// The time to set: the device's time now plus the best delta (sntp.c:243-253).
TimeVal apply_delta(TimeVal now, std::int64_t delta);
// The callback's offset field: offset_s for deltas of 256 s or more, else offset_us
// (sntp.c:275-282). Returns {is_seconds, value}.
struct Offset {
  bool seconds;
  std::int64_t value;
};
Offset offset_field(std::int64_t delta);

// Which server sntp_dosend asks next (sntp.c:326-347): round robin over the servers, skipping
// empty slots (a failed lookup) and servers that sent a kiss-o'-death, until MAX_ATTEMPTS
// rounds or 8 requests have gone out.
class Schedule {
 public:
  // The index of the next server, or nothing when the sync is over. `usable(i)` says whether
  // slot i may be asked.
  template <class Usable>
  std::optional<int> next(int server_count, Usable usable) {
    do {
      if (pos_ < 0) pos_ = 0;
      else ++pos_;
      if (pos_ >= server_count) {
        pos_ = 0;
        ++attempts_;
      }
      if (attempts_ >= k_max_attempts || attempts_ * server_count >= k_max_sends)
        return std::nullopt;
    } while (!usable(pos_));
    return pos_;
  }
  int position() const { return pos_; }

 private:
  int pos_ = -1;
  int attempts_ = 0;
};

// The firmware's clock conditioning on autorepeat syncs with |delta| < 200 ms (sntp.c:254-261):
// a phase-locked loop on the rate instead of a step. Returns the rate to set.
struct Pll {
  std::int64_t increment = 0;
  std::int32_t step(std::int64_t delta);
};
bool small_enough_to_slew(std::int64_t delta);

// Leap-second tracking (sntp.setoffset / getoffset, update_offset sntp.c:414-458).
struct LeapOffset {
  std::uint8_t offset = 0;   // the_offset
  bool in_use = false;       // using_offset
  std::uint8_t pending = 0;  // pending_LI: the leap indicator a server announced
  std::int32_t next_midnight = 0;
  // Applies a pending leap second once midnight UTC has passed; `now_sec` is rtctime's time.
  void update(std::uint32_t now_sec);
  std::int32_t midnight_after(std::int32_t now_sec) const;
};

}  // namespace nodemcu_emu::sntp
