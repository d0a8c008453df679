// What the i2c and spi modules speak to an attached model. A model answers on a bus by
// implementing its interface (the pins modules add theirs beside this file: one-wire, dht, …).
#pragma once

#include <cstdint>

namespace nodemcu_emu::core::board {

// An i2c target: the master's start + address byte, data bytes each way, stop.
class I2cTarget {
 public:
  virtual ~I2cTarget() = default;
  // A start or repeated start addressed to this device; `read` is the R/W bit. True: ACK.
  virtual bool i2c_start(bool read) = 0;
  // A byte the master writes; true: the target ACKs it.
  virtual bool i2c_write(std::uint8_t byte) = 0;
  // The master clocks in a byte; `ack` says whether it will ACK (and read more).
  virtual std::uint8_t i2c_read(bool ack) = 0;
  // A start condition while this device is the one addressed (a repeated start): the address
  // byte that follows calls i2c_start. What a device does with a transfer cut short happens here.
  virtual void i2c_repeated_start() {}
  // The master's stop condition (also when a start goes to another address).
  virtual void i2c_stop() {}
};

// A model that watches the chip's gpio pads (Board::pin_changed calls it for every change).
class PinWatcher {
 public:
  virtual ~PinWatcher() = default;
  virtual void pin_changed(int pin, int level) = 0;
};

// An spi target: selected while its chip-select is low; every byte is full duplex. At `spi:N`
// the chip-select is gpio pin N (the script drives it); at `spi` with no address it is the
// HSPI's own CS0 (GPIO15), which the hardware asserts around every transaction.
class SpiTarget {
 public:
  virtual ~SpiTarget() = default;
  virtual void spi_select(bool selected) { (void)selected; }
  // The byte shifted in on MOSI; returns the byte shifted out on MISO at the same time.
  virtual std::uint8_t spi_transfer(std::uint8_t mosi) = 0;
};

}  // namespace nodemcu_emu::core::board
