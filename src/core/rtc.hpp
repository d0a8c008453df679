// The chip's RTC: the time of day rtctime keeps (with its rate trim) and the 128 words of RTC
// user memory. Both live in RTC memory on the ESP8266 and so survive node.restart and deep
// sleep, unlike everything a module keeps in Device::module_state. Plain C++ on the Clock's
// time, so it is tested without a Lua state.
#pragma once

#include <array>
#include <cstdint>

#include "core/clock.hpp"

namespace nodemcu_emu::core {

class Rtc {
 public:
  // RTC_USER_MEM_NUM_DWORDS (app/include/rtc/rtcaccess.h).
  static constexpr std::size_t k_user_words = 128;

  // rtc_time_have_time: set since power-on (rtctime.set, sntp.sync, --epoch).
  bool have_time() const { return set_; }
  // Microseconds since 1970 at the Clock's time `now`; 0 while unset, as rtctime.get reports.
  std::uint64_t epoch_us(Micros now) const;
  // rtc_time_settimeofday: from `now` on the time is `us`; the rate stays.
  void set_epoch_us(Micros now, std::uint64_t us);
  // The rate trim in 1/2^32 parts (rtctime.set's third argument, sntp's clock conditioning):
  // the time advances (2^32 + rate) / 2^32 microseconds per microsecond.
  std::int32_t rate() const { return rate_; }
  void set_rate(Micros now, std::int32_t rate);
  // rtc_time_adjust_delta_by_rate (rtctime.adjust_delta).
  std::int32_t adjust_delta(std::int32_t delta) const;

  std::array<std::uint32_t, k_user_words>& user_memory() { return user_; }

 private:
  // The elapsed Clock time stretched by the rate.
  std::int64_t scaled(Micros elapsed) const;

  bool set_ = false;
  std::uint64_t base_us_ = 0;  // the time of day at `ref_`
  Micros ref_{0};
  std::int32_t rate_ = 0;
  std::array<std::uint32_t, k_user_words> user_{};
};

}  // namespace nodemcu_emu::core
