// The Lua-free bus cores over a board: I2cBus (the master's view of acknowledgement) and SpiBus
// (buffer bits, transactions, chip-selects).
#include <catch2/catch.hpp>

#include "core/board/board.hpp"
#include "core/board/bus_targets.hpp"
#include "modules/i2c/i2c_bus.hpp"
#include "modules/spi/spi_bus.hpp"

using namespace nodemcu_emu;
using core::board::Board;

namespace {
class StillClock final : public core::Clock {
 public:
  core::Micros now() const override { return core::Micros(0); }
  bool is_virtual() const override { return true; }
  void busy_wait(core::Micros) override {}
};

// Echoes on both buses and records what it saw.
class Probe final : public core::board::Model, public core::board::I2cTarget, public core::board::SpiTarget {
 public:
  using Model::Model;
  std::string_view kind() const override { return "probe"; }
  bool i2c_start(bool read) override { log += read ? "R" : "W"; return true; }
  bool i2c_write(std::uint8_t b) override { last = b; log += "w"; return b != 0xEE; }
  std::uint8_t i2c_read(bool) override { log += "r"; return last; }
  void i2c_repeated_start() override { log += "S"; }
  void i2c_stop() override { log += "P"; }
  void spi_select(bool on) override { log += on ? "[" : "]"; }
  std::uint8_t spi_transfer(std::uint8_t b) override { log += "t"; return static_cast<std::uint8_t>(~b); }
  std::string log;
  std::uint8_t last = 0;
};

std::shared_ptr<Probe> wire(Board& board, const core::Clock& clock, core::board::Location at) {
  auto probe = std::make_shared<Probe>(clock);
  std::string error;
  REQUIRE(board.add(std::move(at), probe, false, false, error) > 0);
  return probe;
}
}  // namespace

TEST_CASE("an unconfigured or empty i2c bus acknowledges nothing and reads 0xff", "[i2c]") {
  StillClock clock;
  Board board;
  modules::i2c::I2cBus bus(board, 0);
  auto probe = wire(board, clock, {"i2c", 0, 0x10});
  CHECK_FALSE(bus.address_byte(0x10 << 1));  // no setup yet
  bus.setup();
  CHECK_FALSE(bus.address_byte(0x11 << 1));
  CHECK_FALSE(bus.write(1));
  CHECK(bus.read(false) == 0xff);
  CHECK(probe->log.empty());
}

TEST_CASE("i2c: address, data, a NACKed byte, a repeated start, the stop", "[i2c]") {
  StillClock clock;
  Board board;
  modules::i2c::I2cBus bus(board, 0);
  bus.setup();
  auto probe = wire(board, clock, {"i2c", 0, 0x10});
  REQUIRE(bus.address_byte(0x10 << 1));
  CHECK(bus.peer() == 0x10);
  CHECK(bus.write(0x42));
  CHECK_FALSE(bus.write(0xEE));
  bus.start();
  REQUIRE(bus.address_byte((0x10 << 1) | 1));
  CHECK_FALSE(bus.write(1));  // a read transfer takes no writes
  CHECK(bus.read(true) == 0xEE);
  bus.stop();
  CHECK_FALSE(bus.peer());
  CHECK(probe->log == "WwwSRrP");
}

TEST_CASE("spi: buffer bits are one MSB-first stream", "[spi]") {
  Board board;
  modules::spi::SpiBus bus(board, true);
  bus.set_bits(4, 8, 0xAB);
  CHECK(bus.get_bits(0, 16) == 0x0AB0);
  bus.set_bytes("\x12\x34", 2);
  CHECK(bus.get_bits(0, 16) == 0x1234);
}

TEST_CASE("spi: the hardware CS frames a transaction; MISO lands at the buffer's start", "[spi]") {
  StillClock clock;
  Board board;
  modules::spi::SpiBus bus(board, true);
  auto probe = wire(board, clock, {"spi", 0, std::nullopt});
  bus.transaction(8, 0x0F, 0, 0, 0, 0, 8);
  CHECK(probe->log == "[tt]");
  CHECK(bus.get_bits(0, 8) == 0x00);  // the probe inverts the all-ones clocked out for MISO
  CHECK(bus.send_recv(8, 0x5A) == 0xA5);
}

TEST_CASE("spi: a gpio chip-select selects through Board::pin_changed; nobody selected reads ones", "[spi]") {
  StillClock clock;
  Board board;
  modules::spi::SpiBus bus(board, true);
  auto probe = wire(board, clock, {"spi", 0, 4});
  CHECK(bus.send_recv(8, 0x00) == 0xFF);
  CHECK(probe->log.empty());
  board.pin_changed(4, 0);
  CHECK(bus.send_recv(8, 0x0F) == 0xF0);
  board.pin_changed(4, 1);
  CHECK(probe->log == "[t]");
  modules::spi::SpiBus flash(board, false);  // spi 0: nothing is wired to it
  board.pin_changed(4, 0);
  CHECK(flash.send_recv(8, 0x0F) == 0xFF);
}
