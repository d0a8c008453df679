#include "core/clock.hpp"

#include "core/interrupt.hpp"

#include <thread>

namespace nodemcu_emu::core {

RealClock::RealClock() : start_(std::chrono::steady_clock::now()) {}

Micros RealClock::now() const {
  return std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now() - start_);
}

// tmr.delay blocks the loop as it blocks the chip, but a signal must still end it promptly.
void RealClock::busy_wait(Micros duration) { interrupt::sleep_unless_interrupted(duration.count()); }

}  // namespace nodemcu_emu::core

namespace nodemcu_emu::core {
Micros host_calendar_time() {
  return std::chrono::duration_cast<Micros>(std::chrono::system_clock::now().time_since_epoch());
}
}  // namespace nodemcu_emu::core
