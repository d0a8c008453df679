// Dallas/Maxim 1-Wire CRCs (Application Note 27), computed as the firmware's driver does
// (onewire.c): both sides of a 1-Wire bus need them — the ow module (ow.crc8, ow.crc16) and
// the device models (ROM codes, scratchpads).
#pragma once

#include <cstddef>
#include <cstdint>

namespace nodemcu_emu::core::board {

std::uint8_t onewire_crc8(const std::uint8_t* data, std::size_t len);
std::uint16_t onewire_crc16(const std::uint8_t* data, std::size_t len, std::uint16_t crc);

}  // namespace nodemcu_emu::core::board
