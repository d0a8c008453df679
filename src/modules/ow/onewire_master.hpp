// The firmware's 1-Wire master (driver/onewire.c, after Paul Stoffregen's library and Dallas'
// search algorithm) over a OneWireBus: what ow.reset/write/read/search do, slot by slot, with
// the driver's delays moving a time cursor (the binding busy-waits the Clock by the total).
#pragma once

#include <array>
#include <cstdint>

#include "modules/ow/onewire_bus.hpp"

namespace nodemcu_emu::modules::ow {

using Rom = std::array<std::uint8_t, 8>;

// onewire_timings (3.0 makes them settable with ow.set_timings), in µs.
struct Timings {
  std::uint16_t reset_tx = 480, reset_wait = 70, reset_rx = 410;
  std::uint8_t w_1_low = 5, w_1_high = 52, w_0_low = 65, w_0_high = 5;
  std::uint8_t r_low = 5, r_wait = 8, r_delay = 52;
};

// One pin's search state (ROM_NO, LastDiscrepancy, ... in onewire.c).
struct SearchState {
  Rom rom{};
  std::uint8_t last_discrepancy = 0;
  std::uint8_t last_family_discrepancy = 0;
  bool last_device = false;
};

void reset_search(SearchState& s);
void target_search(SearchState& s, std::uint8_t family);

class Master {
 public:
  // `idle_level`: what the line reads with nothing pulling it low (see OneWireBus).
  Master(const OneWireBus& bus, int idle_level, const Timings& timings, Micros start)
      : bus_(bus), idle_(idle_level), t_(timings), now_(start), start_(start) {}

  int reset();
  void write_bit(int bit);
  int read_bit();
  void write(std::uint8_t byte);
  std::uint8_t read();
  void select(const Rom& rom);
  void skip();
  // onewire_search: true and `out` filled when a device was found.
  bool search(SearchState& s, Rom& out, bool alarm_only);

  Micros elapsed() const { return now_ - start_; }

 private:
  void wait(unsigned us) { now_ += Micros(us); }


  const OneWireBus& bus_;
  int idle_;
  const Timings& t_;
  Micros now_;
  Micros start_;
};

}  // namespace nodemcu_emu::modules::ow
