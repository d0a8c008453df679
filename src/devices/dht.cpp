#include "devices/dht.hpp"

#include <algorithm>
#include <cmath>

#include "devices/models.hpp"

namespace nodemcu_emu::devices {

Dht::Dht(const core::Clock& clock, Type type) : Model(clock), type_(type) {
  readings().declare("temperature", 21.0);
  readings().declare("humidity", 50.0);
}

DhtFrame Dht::encode(Type type, double celsius, double humidity) {
  DhtFrame f{};
  if (type == Type::dht11) {  // 0..50 °C, 20..90 %RH in whole units; bytes 1 and 3 are 0
    f[0] = static_cast<std::uint8_t>(std::lround(std::clamp(humidity, 0.0, 99.0)));
    f[2] = static_cast<std::uint8_t>(std::lround(std::clamp(celsius, 0.0, 60.0)));
  } else {  // -40..80 °C, 0..100 %RH in tenths, temperature as sign + magnitude
    auto h = static_cast<unsigned>(std::lround(std::clamp(humidity, 0.0, 100.0) * 10));
    double c = std::clamp(celsius, -40.0, 80.0);
    auto t = static_cast<unsigned>(std::lround(std::fabs(c) * 10));
    if (c < 0 && t != 0) t |= 0x8000u;
    f = {static_cast<std::uint8_t>(h >> 8), static_cast<std::uint8_t>(h & 0xff),
         static_cast<std::uint8_t>(t >> 8), static_cast<std::uint8_t>(t & 0xff), 0};
  }
  f[4] = static_cast<std::uint8_t>(f[0] + f[1] + f[2] + f[3]);
  return f;
}

std::optional<DhtFrame> Dht::dht_respond(Micros low, Micros now) {
  bool dht11 = type_ == Type::dht11;
  if (low < (dht11 ? Micros(18000) : Micros(1000))) return std::nullopt;
  Micros interval = dht11 ? Micros(1000000) : Micros(2000000);
  if (last_sample_ && now - *last_sample_ < interval) return last_;
  last_sample_ = now;
  ++samples_;
  last_ = encode(type_, readings().at("temperature", now), readings().at("humidity", now));
  return last_;
}

void Dht::describe(core::board::State& out) const {
  out.emplace_back("samples", static_cast<double>(samples_));
}

namespace {
template <Dht::Type T>
std::unique_ptr<core::board::Model> make_dht(const ModelSetup& setup, std::string& error) {
  if (!setup.spec.param.empty()) {
    error = setup.spec.kind + " takes no parameter";
    return nullptr;
  }
  return std::make_unique<Dht>(setup.clock, T);
}
}  // namespace

std::unique_ptr<core::board::Model> make_dht11(const ModelSetup& setup, std::string& error) {
  return make_dht<Dht::Type::dht11>(setup, error);
}

std::unique_ptr<core::board::Model> make_dht22(const ModelSetup& setup, std::string& error) {
  return make_dht<Dht::Type::dht22>(setup, error);
}

}  // namespace nodemcu_emu::devices
