// The ROM layer every 1-Wire slave shares (Read/Match/Skip ROM, Search ROM, Alarm Search),
// bit by bit as the chip sees the slots; the function layer (a DS18B20's commands) is the
// subclass's, a byte at a time.
#pragma once

#include <array>
#include <cstdint>
#include <deque>

#include "core/board/pin_targets.hpp"

namespace nodemcu_emu::devices {

using core::Micros;
using Rom = std::array<std::uint8_t, 8>;

class OneWireRom : public core::board::OneWireTarget {
 public:
  explicit OneWireRom(const Rom& rom) : rom_(rom) {}
  const Rom& rom() const { return rom_; }
  void set_rom(const Rom& rom) { rom_ = rom; }

  bool ow_reset(Micros now) final;
  void ow_write_bit(int bit, Micros now) final;
  int ow_read_bit(Micros now) final;

  // A ROM of this family: the 6-byte serial and its CRC, as on the chip's laser-etched ROM.
  static Rom make_rom(std::uint8_t family, std::uint64_t serial);

 protected:
  // The device was selected and the master wrote `byte` (the function command, then its data).
  virtual void on_byte(std::uint8_t byte, Micros now) = 0;
  // A read slot with nothing queued (e.g. a conversion's busy/done status).
  virtual int idle_read_bit(Micros now) = 0;
  // Whether the device answers an Alarm Search (0xEC).
  virtual bool alarm(Micros now) = 0;
  // Bytes the next read slots send, LSB first.
  void send(const std::uint8_t* bytes, std::size_t n);

 private:
  enum class State { idle, rom_command, send_rom, match_rom, search, function };
  void on_rom_command(std::uint8_t byte, Micros now);

  Rom rom_;
  State state_ = State::idle;
  std::uint8_t shift_ = 0;  // bits of the byte being written
  int bits_ = 0;
  int index_ = 0;           // bit index in send_rom/match_rom/search
  int search_phase_ = 0;    // 0: send the bit, 1: its complement, 2: read the direction
  std::deque<int> tx_;      // bits to send
};

}  // namespace nodemcu_emu::devices
