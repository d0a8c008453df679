// DHT11 and DHT22 (AM2302) humidity/temperature sensors as the host sees them on their one
// data pin: a start pulse at least as long as the model needs (DHT11 18 ms, DHT22 1 ms) wakes
// them, they answer 40 bits. Sampled again within their interval (DHT22 2 s, DHT11 1 s) they
// send the previous measurement, as the chips do. Readings: "temperature" °C, "humidity" %RH.
#pragma once

#include "core/board/model.hpp"
#include "core/board/pin_targets.hpp"

namespace nodemcu_emu::devices {

using core::Micros;
using DhtFrame = std::array<std::uint8_t, 5>;

class Dht final : public core::board::Model, public core::board::DhtTarget {
 public:
  enum class Type { dht11, dht22 };

  Dht(const core::Clock& clock, Type type);

  std::string_view kind() const override { return type_ == Type::dht11 ? "dht11" : "dht22"; }
  void describe(core::board::State& out) const override;
  std::optional<DhtFrame> dht_respond(Micros low, Micros now) override;

  // The 5 bytes for a reading: DHT22 in tenths (sign bit below 0), DHT11 in whole units.
  static DhtFrame encode(Type type, double celsius, double humidity);

 private:
  Type type_;
  std::optional<Micros> last_sample_;
  DhtFrame last_{};
  int samples_ = 0;
};

}  // namespace nodemcu_emu::devices
