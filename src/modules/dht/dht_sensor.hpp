// DHT11/DHT22 (AM2302) humidity and temperature sensors as the host sees them on their one
// data pin: a start pulse at least as long as the model needs (DHT11 18 ms, DHT22 1 ms) wakes
// them, they answer 40 bits. A DHT22 sampled again within 2 s (DHT11: 1 s) sends its previous
// measurement again, as the chip does.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>

#include "core/clock.hpp"

namespace nodemcu_emu::modules::dht {

using core::Micros;
using Frame = std::array<std::uint8_t, 5>;

class DhtSensor {
 public:
  enum class Kind { dht11, dht22 };
  using Source = std::function<double(Micros)>;  // a reading at a time on the Clock

  DhtSensor(Kind kind, Source temperature, Source humidity)
      : kind_(kind), temperature_(std::move(temperature)), humidity_(std::move(humidity)) {}

  Kind kind() const { return kind_; }
  void set_sources(Source temperature, Source humidity) {
    temperature_ = std::move(temperature);
    humidity_ = std::move(humidity);
  }
  // The host held the line low for `low`, released it at `now`: the frame the sensor sends,
  // or nothing when the pulse was too short to wake it.
  std::optional<Frame> respond(Micros low, Micros now);
  // The 5 bytes for a reading: DHT22 in tenths (sign bit for below 0), DHT11 in whole units.
  static Frame encode(Kind kind, double celsius, double humidity);
  // How long the answer takes on the line: 80 µs low, 80 µs high, then per bit 50 µs low and
  // 26 µs (0) or 70 µs (1) high.
  static Micros duration(const Frame& frame);

 private:
  Kind kind_;
  Source temperature_;
  Source humidity_;
  std::optional<Micros> last_sample_;
  Frame last_{};
};

}  // namespace nodemcu_emu::modules::dht
