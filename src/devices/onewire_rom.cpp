#include "devices/onewire_rom.hpp"

#include "core/board/onewire_crc.hpp"

namespace nodemcu_emu::devices {

namespace {
int rom_bit(const Rom& rom, int i) {
  return (rom[static_cast<std::size_t>(i / 8)] >> (i % 8)) & 1;
}
}  // namespace

Rom OneWireRom::make_rom(std::uint8_t family, std::uint64_t serial) {
  Rom r{};
  r[0] = family;
  for (int i = 0; i < 6; ++i) r[static_cast<std::size_t>(1 + i)] = static_cast<std::uint8_t>(serial >> (8 * i));
  r[7] = core::board::onewire_crc8(r.data(), 7);
  return r;
}

bool OneWireRom::ow_reset(Micros) {
  state_ = State::rom_command;
  shift_ = 0;
  bits_ = 0;
  tx_.clear();
  return true;
}

void OneWireRom::send(const std::uint8_t* bytes, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    for (int b = 0; b < 8; ++b) tx_.push_back((bytes[i] >> b) & 1);
}

void OneWireRom::on_rom_command(std::uint8_t byte, Micros now) {
  index_ = 0;
  switch (byte) {
    case 0x33:  // Read ROM
      state_ = State::send_rom;
      break;
    case 0x55:  // Match ROM
      state_ = State::match_rom;
      break;
    case 0xCC:  // Skip ROM
      state_ = State::function;
      break;
    case 0xF0:  // Search ROM
      state_ = State::search;
      search_phase_ = 0;
      break;
    case 0xEC:  // Alarm Search: only devices with their alarm flag set take part
      state_ = alarm(now) ? State::search : State::idle;
      search_phase_ = 0;
      break;
    default:
      state_ = State::idle;
  }
}

void OneWireRom::ow_write_bit(int bit, Micros now) {
  switch (state_) {
    case State::idle:
    case State::send_rom:
      return;
    case State::match_rom:
      if (bit != rom_bit(rom_, index_)) {
        state_ = State::idle;
        return;
      }
      if (++index_ == 64) state_ = State::function;
      return;
    case State::search:
      if (search_phase_ != 2) return;  // the master writes only after bit and complement
      if (bit != rom_bit(rom_, index_)) {
        state_ = State::idle;  // another branch of the tree: this device drops out
        return;
      }
      search_phase_ = 0;
      if (++index_ == 64) state_ = State::function;  // found: the device is selected
      return;
    case State::rom_command:
    case State::function:
      break;
  }
  shift_ = static_cast<std::uint8_t>(shift_ | ((bit & 1) << bits_));
  if (++bits_ < 8) return;
  std::uint8_t byte = shift_;
  shift_ = 0;
  bits_ = 0;
  if (state_ == State::rom_command)
    on_rom_command(byte, now);
  else
    on_byte(byte, now);
}

int OneWireRom::ow_read_bit(Micros now) {
  switch (state_) {
    case State::send_rom: {
      int b = rom_bit(rom_, index_);
      if (++index_ == 64) state_ = State::function;
      return b;
    }
    case State::search:
      if (search_phase_ == 0) {
        search_phase_ = 1;
        return rom_bit(rom_, index_);
      }
      if (search_phase_ == 1) {
        search_phase_ = 2;
        return rom_bit(rom_, index_) ^ 1;
      }
      return 1;
    case State::function:
      if (!tx_.empty()) {
        int b = tx_.front();
        tx_.pop_front();
        return b;
      }
      return idle_read_bit(now);
    default:
      return 1;
  }
}

}  // namespace nodemcu_emu::devices
