#include "devices/ds18b20.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/board/onewire_crc.hpp"
#include "devices/models.hpp"

namespace nodemcu_emu::devices {

Ds18b20::Ds18b20(const core::Clock& clock, std::uint64_t serial, bool parasite)
    : Model(clock), OneWireRom(make_rom(k_family, serial)), parasite_(parasite) {
  readings().declare("temperature", 21.0);
  // Power-on: 85 °C (0x0550) until the first conversion, the EEPROM's TH/TL/config.
  scratch_ = {0x50, 0x05, eeprom_[0], eeprom_[1], eeprom_[2], 0xFF, 0x0C, 0x10, 0};
  update_crc();
}

void Ds18b20::update_crc() {
  scratch_[8] = core::board::onewire_crc8(scratch_.data(), 8);
}

std::string Ds18b20::configure(std::string_view key, std::string_view value) {
  if (key != "parasite") return "unknown option '" + std::string(key) + "' (parasite=0|1)";
  if (value != "0" && value != "1") return "parasite is 0 or 1";
  parasite_ = value == "1";
  return {};
}

namespace {
std::string hex(const std::uint8_t* p, std::size_t n) {
  std::string out;
  char b[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(b, sizeof b, "%02x", p[i]);
    out += b;
  }
  return out;
}
}  // namespace

void Ds18b20::describe(core::board::State& out) const {
  out.emplace_back("rom", hex(rom().data(), rom().size()));
  out.emplace_back("scratchpad", hex(scratch_.data(), scratch_.size()));
  out.emplace_back("resolution", static_cast<double>(resolution_bits()));
  out.emplace_back("converting", converting_since_.has_value());
  out.emplace_back("parasite", parasite_);
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
  double c = readings().at("temperature", *converting_since_);
  auto raw = static_cast<std::uint16_t>(encode(c, resolution_bits()));
  scratch_[0] = static_cast<std::uint8_t>(raw & 0xff);
  scratch_[1] = static_cast<std::uint8_t>(raw >> 8);
  update_crc();
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
      update_crc();
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
      update_crc();
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

std::unique_ptr<core::board::Model> make_ds18b20(const ModelSetup& setup, std::string& error) {
  // PARAM: the 48-bit serial in hex. Without one, each probe on a pin gets the next serial, so
  // that several probes on one pin are told apart by the search, as real ones are.
  std::uint64_t serial = 0;
  if (!setup.spec.param.empty()) {
    char* end = nullptr;
    serial = std::strtoull(setup.spec.param.c_str(), &end, 16);
    if (*end != '\0' || serial == 0 || serial > 0xFFFFFFFFFFFFull) {
      error = "ds18b20: the parameter is a serial number, 1 to 12 hex digits (ds18b20:1a2b)";
      return nullptr;
    }
  } else {
    long long pin = setup.spec.at.address.value_or(0);
    std::size_t probes = setup.board ? setup.board->at<core::board::OneWireTarget>("ow", 0, setup.spec.at.address).size() : 0;
    serial = 0xE5000000ull + static_cast<std::uint64_t>(pin) * 0x100 + probes + 1;
  }
  return std::make_unique<Ds18b20>(setup.clock, serial);
}

}  // namespace nodemcu_emu::devices
