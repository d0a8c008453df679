// What the ow, dht and ws2812 modules speak to an attached model (beside bus_targets.hpp for
// i2c and spi). `now` is the time of the slot on the Clock: the modules run the firmware's
// bit-banging drivers on a time cursor and pass each slot's time, so a model sees the same
// timing as on the wire even though the call busy-waits the Clock only once at its end.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <optional>

#include "core/clock.hpp"

namespace nodemcu_emu::core::board {

// A 1-Wire slave on a pin (several share it). The line is wired-AND: a read slot reads 0 when
// any device pulls it low.
class OneWireTarget {
 public:
  virtual ~OneWireTarget() = default;
  // A reset pulse: true when the device answers with a presence pulse.
  virtual bool ow_reset(Micros now) = 0;
  virtual void ow_write_bit(int bit, Micros now) = 0;
  // A read slot: 0 pulls the line low, 1 leaves it to the pull-up.
  virtual int ow_read_bit(Micros now) = 0;
};

// A DHTxx sensor on a pin: woken by a start pulse of `low` ending at `now`, it answers with 5
// bytes (humidity, temperature, checksum), or not at all (a pulse too short for it).
class DhtTarget {
 public:
  virtual ~DhtTarget() = default;
  virtual std::optional<std::array<std::uint8_t, 5>> dht_respond(Micros low, Micros now) = 0;
};

// How long a DHT answer takes on the line: 80 µs low, 80 µs high, then per bit 50 µs low and
// 26 µs (0) or 70 µs (1) high.
inline Micros dht_frame_duration(const std::array<std::uint8_t, 5>& frame) {
  int ones = 0;
  for (std::uint8_t b : frame) ones += std::popcount(b);
  return Micros(160 + 40 * 50 + ones * 70 + (40 - ones) * 26);
}

// A WS2812 chain on a UART output: one frame of bytes in wire order (G, R, B[, W] per LED).
class Ws2812Target {
 public:
  virtual ~Ws2812Target() = default;
  virtual void ws2812_receive(const std::uint8_t* data, std::size_t n) = 0;
};

}  // namespace nodemcu_emu::core::board
