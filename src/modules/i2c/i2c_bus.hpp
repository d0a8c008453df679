// One i2c bus as the master sees it (platform_i2c_* of the firmware), over the board's models:
// no Lua, no Device. With nothing attached at an address nobody pulls SDA low, so the address
// byte and every data byte go unacknowledged and reads return 0xff (the pull-ups), which is
// what a bare board does.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "core/board/board.hpp"
#include "core/board/bus_targets.hpp"

namespace nodemcu_emu::modules::i2c {

class I2cBus {
 public:
  I2cBus(const core::board::Board& board, int id) : board_(board), id_(id) {}

  // i2c.setup: the pins are open-drain outputs from now on. Until then the master drives
  // nothing and no device can answer.
  void setup() { configured_ = true; }
  bool configured() const { return configured_; }

  // A (repeated) start: the next byte is an address byte.
  void start();
  // The address byte `byte` (7-bit address << 1 | R/W). True when a device ACKs it.
  bool address_byte(std::uint8_t byte);
  // A data byte to the addressed device; true when it ACKs.
  bool write(std::uint8_t byte);
  // A data byte from the addressed device; `ack` whether the master ACKs (wants more).
  std::uint8_t read(bool ack);
  void stop();

  // The address the current transfer is talking to (an ACKed address byte), for the trace.
  std::optional<int> peer() const {
    return target_ ? std::optional<int>(address_) : std::nullopt;
  }

 private:
  void release();

  const core::board::Board& board_;
  int id_;
  bool configured_ = false;
  std::shared_ptr<core::board::I2cTarget> target_;  // the device that ACKed the address byte
  int address_ = 0;
  bool reading_ = false;
};

}  // namespace nodemcu_emu::modules::i2c
