// A 1-Wire bus as time slots: the master (the ow module) sends reset pulses and write/read
// slots; devices answer on the wired-AND line. Lua-free, so models and the firmware's master
// algorithms (onewire_master.hpp) can be tested on their own.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/clock.hpp"

namespace nodemcu_emu::modules::ow {

using core::Micros;
using Rom = std::array<std::uint8_t, 8>;

// One device at the time-slot level. `now` is the time of the slot on the Clock.
class OneWireDevice {
 public:
  virtual ~OneWireDevice() = default;
  // A reset pulse: true when the device answers with a presence pulse.
  virtual bool reset(Micros now) = 0;
  virtual void write_bit(int bit, Micros now) = 0;
  // A read slot: 0 pulls the line low, 1 leaves it to the pull-up.
  virtual int read_bit(Micros now) = 0;
};

// The devices on one pin. The line idles at `idle_level`: 1 with a pull-up (a device's board
// has one, ow.setup turns the chip's on), else 0 — an empty pin without pull-up reads low.
class OneWireBus {
 public:
  void attach(std::shared_ptr<OneWireDevice> device) { devices_.push_back(std::move(device)); }
  bool empty() const { return devices_.empty(); }
  const std::vector<std::shared_ptr<OneWireDevice>>& devices() const { return devices_; }

  // The line between slots, without touching the devices.
  int idle_line(int idle_level) const { return devices_.empty() ? idle_level : 1; }
  bool reset(Micros now) const;
  void write_bit(int bit, Micros now) const;
  int read_bit(Micros now, int idle_level) const;

 private:
  std::vector<std::shared_ptr<OneWireDevice>> devices_;
};

// Dallas/Maxim CRCs as the firmware computes them (onewire.c; Application Note 27).
std::uint8_t crc8(const std::uint8_t* data, std::size_t len);
std::uint16_t crc16(const std::uint8_t* data, std::size_t len, std::uint16_t crc);

}  // namespace nodemcu_emu::modules::ow
