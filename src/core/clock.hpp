// The only source of time in the emulator: real (steady clock) or virtual (jumps when idle).
#pragma once

#include <chrono>
#include <cstdint>

namespace nodemcu_emu::core {

using Micros = std::chrono::microseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Time since the loop started.
  virtual Micros now() const = 0;
  virtual bool is_virtual() const = 0;
  // Blocks the Lua thread like tmr.delay does on the device (no callbacks run meanwhile).
  virtual void busy_wait(Micros duration) = 0;
};

class RealClock final : public Clock {
 public:
  RealClock();
  Micros now() const override;
  bool is_virtual() const override { return false; }
  void busy_wait(Micros duration) override;
  // The steady-clock instant of a time on this clock (for Asio timers).
  std::chrono::steady_clock::time_point to_steady(Micros t) const { return start_ + t; }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Time stands still while there is work; the loop moves it forward to the next deadline.
class VirtualClock final : public Clock {
 public:
  Micros now() const override { return now_; }
  bool is_virtual() const override { return true; }
  void busy_wait(Micros duration) override { now_ += duration; }
  // Never moves backwards: a deadline already passed leaves the clock where it is.
  void advance_to(Micros t) {
    if (t > now_) now_ = t;
  }

 private:
  Micros now_{0};
};

}  // namespace nodemcu_emu::core

namespace nodemcu_emu::core {
// The host's calendar time (microseconds since 1970). The one place the emulator looks at the
// system clock: `--epoch now` reads it once, at power-on; the device's time then moves with the
// Clock alone, so virtual time stays repeatable.
Micros host_calendar_time();
}  // namespace nodemcu_emu::core
