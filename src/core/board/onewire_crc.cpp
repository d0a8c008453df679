#include "core/board/onewire_crc.hpp"

namespace nodemcu_emu::core::board {

std::uint8_t onewire_crc8(const std::uint8_t* data, std::size_t len) {
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

std::uint16_t onewire_crc16(const std::uint8_t* data, std::size_t len, std::uint16_t crc) {
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

}  // namespace nodemcu_emu::core::board
