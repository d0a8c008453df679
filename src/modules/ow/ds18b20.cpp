#include "modules/ow/ds18b20.hpp"

#include <algorithm>
#include <cmath>

namespace nodemcu_emu::modules::ow {

Ds18b20::Ds18b20(std::uint64_t serial, Source temperature, bool parasite)
    : RomDevice(make_rom(k_family, serial)), source_(std::move(temperature)), parasite_(parasite) {
  // Power-on: 85 °C (0x0550) until the first conversion, the EEPROM's TH/TL/config.
  scratch_ = {0x50, 0x05, eeprom_[0], eeprom_[1], eeprom_[2], 0xFF, 0x0C, 0x10, 0};
  scratch_[8] = crc8(scratch_.data(), 8);
}

std::int16_t Ds18b20::encode(double celsius, int resolution_bits) {
  double c = std::clamp(celsius, -55.0, 125.0);
  auto raw = static_cast<std::int16_t>(std::lround(c * 16.0));
  // Lower resolutions leave their undefined low bits 0.
  int drop = 12 - resolution_bits;
  return static_cast<std::int16_t>(raw & ~((1 << drop) - 1));
}

Micros Ds18b20::conversion_time() const {
  // tCONV max: 93.75 ms at 9 bits, doubling per bit.
  return Micros(93750 << (resolution_bits() - 9));
}

void Ds18b20::finish_conversion(Micros now) {
  if (!converting_since_ || now < *converting_since_ + conversion_time()) return;
  double c = source_ ? source_(*converting_since_) : 25.0;
  auto raw = static_cast<std::uint16_t>(encode(c, resolution_bits()));
  scratch_[0] = static_cast<std::uint8_t>(raw & 0xff);
  scratch_[1] = static_cast<std::uint8_t>(raw >> 8);
  scratch_[8] = crc8(scratch_.data(), 8);
  converting_since_.reset();
  // The alarm compares the integer part (bits 11..4) with TH and TL.
  int whole = static_cast<std::int16_t>(raw) >> 4;
  alarm_flag_ = whole >= static_cast<std::int8_t>(scratch_[2]) ||
                whole <= static_cast<std::int8_t>(scratch_[3]);
}

std::array<std::uint8_t, 9> Ds18b20::scratchpad(Micros now) {
  finish_conversion(now);
  return scratch_;
}

void Ds18b20::on_byte(std::uint8_t byte, Micros now) {
  finish_conversion(now);
  if (pending_ == Pending::write_scratchpad) {
    if (write_index_ < 3) {
      // TH, TL, then the configuration register, whose other bits are fixed (0 and 11111).
      std::uint8_t v = write_index_ == 2 ? static_cast<std::uint8_t>((byte & 0x60) | 0x1F) : byte;
      scratch_[static_cast<std::size_t>(2 + write_index_)] = v;
      scratch_[8] = crc8(scratch_.data(), 8);
      if (++write_index_ == 3) pending_ = Pending::none;
    }
    return;
  }
  pending_ = Pending::none;
  switch (byte) {
    case 0x44:  // Convert T
      converting_since_ = now;
      pending_ = Pending::status;
      break;
    case 0xBE: {  // Read Scratchpad
      send(scratch_.data(), scratch_.size());
      break;
    }
    case 0x4E:  // Write Scratchpad
      pending_ = Pending::write_scratchpad;
      write_index_ = 0;
      break;
    case 0x48:  // Copy Scratchpad
      std::copy(scratch_.begin() + 2, scratch_.begin() + 5, eeprom_.begin());
      break;
    case 0xB8:  // Recall E²
      std::copy(eeprom_.begin(), eeprom_.end(), scratch_.begin() + 2);
      scratch_[8] = crc8(scratch_.data(), 8);
      break;
    case 0xB4:  // Read Power Supply
      pending_ = Pending::power;
      break;
    default:
      break;
  }
}

int Ds18b20::idle_read_bit(Micros now) {
  switch (pending_) {
    case Pending::status:  // 0 while converting, 1 when done
      finish_conversion(now);
      return converting_since_ ? 0 : 1;
    case Pending::power:  // a parasite-powered device pulls the line low
      return parasite_ ? 0 : 1;
    default:
      return 1;
  }
}

bool Ds18b20::alarm(Micros now) {
  finish_conversion(now);
  return alarm_flag_;
}

}  // namespace nodemcu_emu::modules::ow
