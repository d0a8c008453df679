// The devices on one pin's 1-Wire line, as one call of the ow module sees them (the models
// attached at "ow:PIN" on the board). The line idles at `idle_level` with nothing attached: 1
// with the chip's pull-up on (ow.setup), else 0 — an empty pin without pull-up reads low; a
// device's board brings its own pull-up resistor.
#pragma once

#include <memory>
#include <vector>

#include "core/board/pin_targets.hpp"

namespace nodemcu_emu::modules::ow {

using core::Micros;
using core::board::OneWireTarget;

class OneWireBus {
 public:
  OneWireBus() = default;
  explicit OneWireBus(std::vector<std::shared_ptr<OneWireTarget>> devices)
      : devices_(std::move(devices)) {}
  bool empty() const { return devices_.empty(); }

  // The line between slots, without touching the devices.
  int idle_line(int idle_level) const { return devices_.empty() ? idle_level : 1; }
  bool reset(Micros now) const;
  void write_bit(int bit, Micros now) const;
  int read_bit(Micros now, int idle_level) const;

 private:
  std::vector<std::shared_ptr<OneWireTarget>> devices_;
};

}  // namespace nodemcu_emu::modules::ow
