#include "modules/dht/dht_sensor.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace nodemcu_emu::modules::dht {

Frame DhtSensor::encode(Kind kind, double celsius, double humidity) {
  Frame f{};
  if (kind == Kind::dht11) {  // 0..50 °C, 20..90 %RH in whole units; bytes 1 and 3 are 0
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

Micros DhtSensor::duration(const Frame& frame) {
  int ones = 0;
  for (std::uint8_t b : frame) ones += std::popcount(b);
  return Micros(160 + 40 * 50 + ones * 70 + (40 - ones) * 26);
}

std::optional<Frame> DhtSensor::respond(Micros low, Micros now) {
  bool dht11 = kind_ == Kind::dht11;
  if (low < (dht11 ? Micros(18000) : Micros(1000))) return std::nullopt;
  Micros interval = dht11 ? Micros(1000000) : Micros(2000000);
  if (last_sample_ && now - *last_sample_ < interval) return last_;
  last_sample_ = now;
  double c = temperature_ ? temperature_(now) : 21.0;
  double h = humidity_ ? humidity_(now) : 50.0;
  last_ = encode(kind_, c, h);
  return last_;
}

}  // namespace nodemcu_emu::modules::dht
