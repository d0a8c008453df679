// The BME280 model's logic without Lua: the SPI protocol (datasheet 6.3) against the same
// registers as i2c, and the IIR filter (3.4.4) over normal-mode measurements.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/board/board.hpp"
#include "core/board/bus_targets.hpp"
#include "devices/attach_spec.hpp"
#include "devices/bme280_compensation.hpp"
#include "devices/catalog.hpp"

using namespace nodemcu_emu;
using core::Micros;

namespace {

struct Bench {
  core::VirtualClock clock;
  core::board::Board board;
  std::shared_ptr<core::board::Model> model;

  explicit Bench(const char* spec) {
    std::string error;
    auto parsed = devices::parse_attach_spec(spec, error);
    REQUIRE(parsed);
    int id = devices::attach(board, clock, *parsed, error);
    INFO(error);
    REQUIRE(id > 0);
    model = board.get(id)->model;
  }
  double state(const char* key) const {
    for (const auto& [k, v] : model->state())
      if (k == key) return std::get<double>(v);
    FAIL("no state " << key);
    return 0;
  }
};

// One SPI transaction: chip-select low, the bytes, chip-select high. Returns MISO.
std::vector<std::uint8_t> spi(core::board::SpiTarget& chip, std::vector<std::uint8_t> mosi) {
  chip.spi_select(true);
  std::vector<std::uint8_t> miso;
  for (auto b : mosi) miso.push_back(chip.spi_transfer(b));
  chip.spi_select(false);
  return miso;
}

void i2c_write(core::board::I2cTarget& chip, std::uint8_t reg, std::uint8_t value) {
  chip.i2c_start(false);
  chip.i2c_write(reg);
  chip.i2c_write(value);
  chip.i2c_stop();
}

std::vector<std::uint8_t> i2c_read(core::board::I2cTarget& chip, std::uint8_t reg, int n) {
  chip.i2c_start(false);
  chip.i2c_write(reg);
  chip.i2c_repeated_start();
  chip.i2c_start(true);
  std::vector<std::uint8_t> out;
  for (int i = 0; i < n; ++i) out.push_back(chip.i2c_read(i + 1 < n));
  chip.i2c_stop();
  return out;
}

// The compensated temperature of the data registers (°C).
double temperature(core::board::I2cTarget& chip) {
  auto d = i2c_read(chip, 0xF7, 8);
  std::int32_t adc_t = d[3] << 12 | d[4] << 4 | d[5] >> 4;
  auto cal = devices::bme280::typical_calibration();
  return devices::bme280::temperature(devices::bme280::t_fine(cal, adc_t)) / 100.0;
}

}  // namespace

TEST_CASE("bme280 attaches on spi behind a chip-select or the HSPI CS, never with i2c's address",
          "[bme280]") {
  Bench pin("spi:8=bme280");
  CHECK(pin.board.all().front().at.to_string() == "spi:8");
  Bench hw("spi=bme280");
  CHECK(hw.board.all().front().at.to_string() == "spi");
  Bench i2c("i2c=bme280");
  CHECK(i2c.board.all().front().at.to_string() == "i2c:0x76");
  CHECK(devices::describe_kinds().find("bme280 (i2c or spi)") != std::string::npos);
}

TEST_CASE("bme280 spi: control byte, write pairs, auto-increment, a new control byte per select",
          "[bme280]") {
  Bench b("spi=bme280");
  auto* chip = b.model->as<core::board::SpiTarget>();
  REQUIRE(chip);
  CHECK(spi(*chip, {0xD0, 0x00, 0x00}) == std::vector<std::uint8_t>{0xff, 0x60, 0x00});
  // 0x72 = ctrl_hum (0xF2) for writing, then 0x75 = config (0xF5): two pairs in one select
  CHECK(spi(*chip, {0x72, 0x03, 0x75, 0x0c}) == std::vector<std::uint8_t>(4, 0xff));
  CHECK(b.state("ctrl_hum") == 3);
  CHECK(b.state("filter") == 8);
  CHECK(spi(*chip, {0xF5, 0x00}) == std::vector<std::uint8_t>{0xff, 0x0c});
  // The same calibration over both interfaces.
  auto over_spi = spi(*chip, std::vector<std::uint8_t>(27, 0x00));  // 0x00 | 0x80 = 0x80 ...
  auto from_88 = spi(*chip, [] {
    std::vector<std::uint8_t> v(27, 0x00);
    v[0] = 0x88;
    return v;
  }());
  std::uint8_t block[26], block2[7];
  devices::bme280::encode(devices::bme280::typical_calibration(), block, block2);
  CHECK(std::vector<std::uint8_t>(from_88.begin() + 1, from_88.end()) ==
        std::vector<std::uint8_t>(block, block + 26));
  CHECK(over_spi[0] == 0xff);
  // soft reset through 0x60 (0xE0 with bit 7 cleared)
  spi(*chip, {0x60, 0xB6});
  CHECK(b.state("ctrl_hum") == 0);
  CHECK(b.state("filter") == 1);
}

TEST_CASE("bme280 IIR filter: each normal-mode measurement moves 1/c of the way", "[bme280]") {
  Bench b("i2c=bme280,temperature=20");
  auto* chip = b.model->as<core::board::I2cTarget>();
  i2c_write(*chip, 0xF5, 0x10);  // filter 16, t_standby 0.5 ms
  i2c_write(*chip, 0xF4, 0x27);  // T x1, P x1, normal: t_measure 5.5 ms, a cycle of 6 ms
  b.clock.busy_wait(Micros(5500 + 6000 * 9 + 100));  // ten measurements of 20 °C
  CHECK(temperature(*chip) == Approx(20).margin(0.01));
  CHECK(b.state("measurements") == 10);
  b.model->readings().set("temperature", 30);
  for (int n = 1; n <= 40; ++n) {
    b.clock.busy_wait(Micros(6000));
    CHECK(temperature(*chip) == Approx(30 - 10 * std::pow(15.0 / 16, n)).margin(0.03));
  }
  // Many cycles at once (an hour of virtual time) cost a bounded number of filter steps.
  b.clock.busy_wait(Micros(3600LL * 1000000));
  CHECK(temperature(*chip) == Approx(30).margin(0.01));
  CHECK(b.state("measurements") == 10 + 40 + 600000);
}

TEST_CASE("bme280 IIR filter: off follows at once; a new coefficient restarts from the next value",
          "[bme280]") {
  Bench b("i2c=bme280,temperature=20");
  auto* chip = b.model->as<core::board::I2cTarget>();
  i2c_write(*chip, 0xF4, 0x27);
  b.clock.busy_wait(Micros(5600));
  CHECK(temperature(*chip) == Approx(20).margin(0.01));
  b.model->readings().set("temperature", 25);
  b.clock.busy_wait(Micros(6000));
  CHECK(temperature(*chip) == Approx(25).margin(0.01));
  i2c_write(*chip, 0xF5, 0x04);  // filter 2
  b.model->readings().set("temperature", 35);
  b.clock.busy_wait(Micros(6000));
  CHECK(temperature(*chip) == Approx(35).margin(0.01));  // the filter starts from this one
  b.model->readings().set("temperature", 15);
  b.clock.busy_wait(Micros(6000));
  CHECK(temperature(*chip) == Approx(25).margin(0.03));  // half way
}

TEST_CASE("bme280 normal mode: a new t_standby takes effect after the measurement under way",
          "[bme280]") {
  Bench b("i2c=bme280");
  auto* chip = b.model->as<core::board::I2cTarget>();
  i2c_write(*chip, 0xF4, 0x27);  // t_measure 5.5 ms, t_standby 0.5 ms: 6 ms cycles
  b.clock.busy_wait(Micros(6000 * 3));  // measurements end at 5.5, 11.5, 17.5 ms
  i2c_read(*chip, 0xF3, 1);
  CHECK(b.state("measurements") == 3);
  // t_standby 62.5 ms: the measurement begun at 18 ms ends at 23.5, then 68 ms cycles
  i2c_write(*chip, 0xF5, 0x20);
  b.clock.busy_wait(Micros(91500 - 18000));  // 23.5 and 91.5 ms
  i2c_read(*chip, 0xF3, 1);
  CHECK(b.state("measurements") == 5);
  b.clock.busy_wait(Micros(67999));
  i2c_read(*chip, 0xF3, 1);
  CHECK(b.state("measurements") == 5);
  b.clock.busy_wait(Micros(1));
  i2c_read(*chip, 0xF3, 1);
  CHECK(b.state("measurements") == 6);
}
