#include "modules/i2c/i2c_bus.hpp"

namespace nodemcu_emu::modules::i2c {

void I2cBus::start() {
  // A repeated start keeps the device addressed (a register pointer set by the write before it
  // stays); only a start to another address ends its transfer, which release() does in
  // address_byte.
  if (target_) target_->i2c_repeated_start();
}

bool I2cBus::address_byte(std::uint8_t byte) {
  int address = byte >> 1;
  bool read = (byte & 1) != 0;
  if (target_ && address != address_) release();
  auto target = configured_ ? board_.find<core::board::I2cTarget>("i2c", id_, address) : nullptr;
  if (!target || !target->i2c_start(read)) {
    release();
    return false;
  }
  target_ = std::move(target);
  address_ = address;
  reading_ = read;
  return true;
}

bool I2cBus::write(std::uint8_t byte) {
  if (!target_ || reading_) return false;
  return target_->i2c_write(byte);
}

std::uint8_t I2cBus::read(bool ack) {
  if (!target_ || !reading_) return 0xff;
  return target_->i2c_read(ack);
}

void I2cBus::stop() { release(); }

void I2cBus::release() {
  if (auto target = std::exchange(target_, nullptr)) target->i2c_stop();
}

}  // namespace nodemcu_emu::modules::i2c
