#include "modules/ow/onewire_bus.hpp"

namespace nodemcu_emu::modules::ow {

bool OneWireBus::reset(Micros now) const {
  bool presence = false;
  for (const auto& d : devices_) presence = d->reset(now) || presence;  // every device resets
  return presence;
}

void OneWireBus::write_bit(int bit, Micros now) const {
  for (const auto& d : devices_) d->write_bit(bit, now);
}

int OneWireBus::read_bit(Micros now, int idle_level) const {
  if (devices_.empty()) return idle_level;
  int line = 1;  // a device's board has the pull-up resistor
  for (const auto& d : devices_) line &= d->read_bit(now);  // every device sees the slot
  return line;
}

std::uint8_t crc8(const std::uint8_t* data, std::size_t len) {
  std::uint8_t crc = 0;
  while (len--) {
    std::uint8_t in = *data++;
    for (int i = 0; i < 8; ++i) {
      bool mix = ((crc ^ in) & 1) != 0;
      crc >>= 1;
      if (mix) crc ^= 0x8C;
      in >>= 1;
    }
  }
  return crc;
}

std::uint16_t crc16(const std::uint8_t* data, std::size_t len, std::uint16_t crc) {
  static constexpr std::uint8_t odd_parity[16] = {0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0};
  for (std::size_t i = 0; i < len; ++i) {
    std::uint16_t c = static_cast<std::uint16_t>((data[i] ^ crc) & 0xff);
    crc >>= 8;
    if (odd_parity[c & 0x0f] ^ odd_parity[c >> 4]) crc ^= 0xC001;
    c = static_cast<std::uint16_t>(c << 6);
    crc ^= c;
    c = static_cast<std::uint16_t>(c << 1);
    crc ^= c;
  }
  return crc;
}

}  // namespace nodemcu_emu::modules::ow
