#include "modules/dht/dht_decode.hpp"

namespace nodemcu_emu::modules::dht {

namespace {

int combined(std::uint8_t high, std::uint8_t low) {
  return (high << 8) | low;
}

std::uint8_t sum4(const Frame& b) {
  return static_cast<std::uint8_t>(b[0] + b[1] + b[2] + b[3]);
}

// dht_read (DHTxx): tenths, sign bit in byte 2.
Reading decode_xx(const Frame& b) {
  Reading r{k_ok, combined(b[2] & 0x7F, b[3]) * 0.1, combined(b[0], b[1]) * 0.1};
  if (b[2] & 0x80) r.temperature = -r.temperature;
  if (b[4] != sum4(b)) r.status = k_error_checksum;
  return r;
}

// profiles 1, 2: dht_read_universal guesses a DHT11 from bytes 1 and 3 being 0.
Reading decode_universal(const Frame& b) {
  if (b[1] == 0 && b[3] == 0 && b[4] == static_cast<std::uint8_t>(b[0] + b[2]))
    return {k_ok, static_cast<double>(b[2]), static_cast<double>(b[0])};
  return decode_xx(b);
}

Reading decode_11(const Frame& b, int profile) {
  Reading r{k_ok, static_cast<double>(b[2]), static_cast<double>(b[0])};
  // 1.5.4.1 checked the DHT11's two data bytes only
  auto sum = profile == 1 ? static_cast<std::uint8_t>(b[0] + b[2]) : sum4(b);
  if (b[4] != sum) r.status = k_error_checksum;
  return r;
}

// profile 3: dht_read(pin, type)
Reading decode_v3(const Frame& b, Method method) {
  Reading r{k_ok, static_cast<double>(b[2]), static_cast<double>(b[0])};
  if (b[1] == 0 && b[3] == 0 && b[4] == static_cast<std::uint8_t>(b[0] + b[2])) return r;
  bool small = method == Method::read11 || method == Method::read12;
  if (small)
    r.humidity += b[1] * 0.1;
  else
    r.humidity = combined(b[0], b[1]) * 0.1;
  if (method == Method::read11) {
    if (b[3] & 0x80) r.temperature = -1 - r.temperature;
    r.temperature += (b[3] & 0x0f) * 0.1;
  } else if (method == Method::read12) {
    r.temperature += (b[3] & 0x0f) * 0.1;
    if (b[2] & 0x80) r.temperature *= -1;
  } else {
    r.temperature = combined(b[2] & 0x7F, b[3]) * 0.1;
    if (b[2] & 0x80) r.temperature *= -1;
  }
  if (b[4] != sum4(b)) r.status = k_error_checksum;
  return r;
}

}  // namespace

int wakeup_ms(Method method, int profile) {
  if (profile >= 3) return 18;  // DHT11 and DHT_NON11 both use 18 ms; dht.read22 is not exported
  return method == Method::readxx ? 1 : 18;
}

Reading decode(const Frame& b, Method method, int profile) {
  if (profile >= 3) return decode_v3(b, method);
  switch (method) {
    case Method::read11:
      return decode_11(b, profile);
    case Method::readxx:
      return decode_xx(b);
    default:
      return decode_universal(b);
  }
}

}  // namespace nodemcu_emu::modules::dht
