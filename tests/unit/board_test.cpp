// The simulated-device framework: the attach spec, readings over time, the board's places.
#include <catch2/catch.hpp>

#include "core/board/board.hpp"
#include "core/board/bus_targets.hpp"
#include "devices/attach_spec.hpp"
#include "devices/catalog.hpp"

using namespace nodemcu_emu;
using core::Micros;
using core::board::Readings;

namespace {
std::optional<devices::AttachSpec> parse(std::string_view text) {
  std::string error;
  auto spec = devices::parse_attach_spec(text, error);
  if (!spec) INFO(error);
  return spec;
}

class FixedClock final : public core::Clock {
 public:
  Micros now() const override { return t; }
  bool is_virtual() const override { return true; }
  void busy_wait(Micros d) override { t += d; }
  Micros t{0};
};
}  // namespace

TEST_CASE("an i2c spec gives bus, hex address and kind", "[board]") {
  auto spec = parse("i2c:0x76=bme280");
  REQUIRE(spec);
  CHECK(spec->at.bus == "i2c");
  CHECK(spec->at.index == 0);
  CHECK(spec->at.address == 0x76);
  CHECK(spec->kind == "bme280");
  CHECK(spec->param.empty());
  CHECK(spec->options.empty());
}

TEST_CASE("a spec may name a bus index, a parameter and options", "[board]") {
  auto spec = parse("i2c.1:80=at24c32:x,page=32,temperature=-4.5");
  REQUIRE(spec);
  CHECK(spec->at.index == 1);
  CHECK(spec->at.address == 80);
  CHECK(spec->param == "x");
  REQUIRE(spec->options.size() == 2);
  CHECK(spec->options[1].first == "temperature");
  CHECK(spec->options[1].second == "-4.5");
}

TEST_CASE("a bus without addresses: ws2812=strip:30", "[board]") {
  auto spec = parse("ws2812=strip:30");
  REQUIRE(spec);
  CHECK(spec->at.bus == "ws2812");
  CHECK_FALSE(spec->at.address);
  CHECK(spec->kind == "strip");
  CHECK(spec->param == "30");
}

TEST_CASE("malformed specs are refused with the expected form in the message", "[board]") {
  std::string error;
  for (const char* bad : {"i2c:0x76", "i2c:zz=bme280", "=bme280", "i2c:0x76=", "i2c:1=a b",
                          "i2c:1=x,novalue", "i2c.q:1=x"}) {
    INFO(bad);
    CHECK_FALSE(devices::parse_attach_spec(bad, error));
    CHECK(error.find("BUS[:ADDRESS]=KIND") != std::string::npos);
  }
}

TEST_CASE("leading zeros are decimal, not octal", "[board]") {
  CHECK(devices::parse_spec_integer("010") == 10);
  CHECK(devices::parse_spec_integer("0x10") == 16);
  CHECK_FALSE(devices::parse_spec_integer("0x"));
}

TEST_CASE("a reading holds its value until set, and scripts interpolate between keyframes",
          "[board]") {
  Readings r;
  r.declare("temperature", 20);
  CHECK(r.at("temperature", Micros(5'000'000)) == 20);
  REQUIRE(r.script("temperature", {{Micros(20'000'000), 30}, {Micros(10'000'000), 10}},
                   Readings::Shape::linear));
  CHECK(r.at("temperature", Micros(0)) == 10);
  CHECK(r.at("temperature", Micros(15'000'000)) == Approx(20));
  CHECK(r.at("temperature", Micros(60'000'000)) == 30);
  REQUIRE(r.script("temperature", {{Micros(0), 1}, {Micros(10), 2}}, Readings::Shape::step));
  CHECK(r.at("temperature", Micros(9)) == 1);
  CHECK(r.at("temperature", Micros(10)) == 2);
  CHECK_FALSE(r.set("pressure", 1));
  CHECK_FALSE(r.script("temperature", {}, Readings::Shape::step));
}

TEST_CASE("one model per i2c address; the board finds it by bus interface", "[board]") {
  FixedClock clock;
  core::board::Board board;
  std::string error;
  auto spec = parse("i2c:0x20=pcf8574");
  REQUIRE(spec);
  int id = devices::attach(board, clock, *spec, error);
  REQUIRE(id > 0);
  CHECK(devices::attach(board, clock, *spec, error) == 0);
  CHECK(error == "a pcf8574 is already attached at i2c:0x20");
  auto target = board.find<core::board::I2cTarget>("i2c", 0, 0x20);
  REQUIRE(target);
  CHECK(target->i2c_start(false));
  CHECK(target->i2c_write(0x0f));
  CHECK(target->i2c_read(false) == 0x0f);
  CHECK_FALSE(board.find<core::board::I2cTarget>("i2c", 0, 0x21));
  CHECK_FALSE(board.find<core::board::SpiTarget>("i2c", 0, 0x20));
  CHECK(board.remove(id));
  CHECK_FALSE(board.find<core::board::I2cTarget>("i2c", 0, 0x20));
}

TEST_CASE("attach checks the kind, its bus, the address and the options", "[board]") {
  FixedClock clock;
  core::board::Board board;
  std::string error;
  CHECK(devices::attach(board, clock, *parse("i2c:0x20=nosuch"), error) == 0);
  CHECK(error.find("unknown model 'nosuch'") == 0);
  CHECK(devices::attach(board, clock, *parse("ow:3=pcf8574"), error) == 0);
  CHECK(error == "pcf8574 sits on the i2c bus, not ow");
  CHECK(devices::attach(board, clock, *parse("i2c:0x80=pcf8574"), error) == 0);
  CHECK(error == "pcf8574: i2c addresses are 7-bit (0x00..0x7f)");
  CHECK(devices::attach(board, clock, *parse("i2c:0x20=pcf8574,colour=red"), error) == 0);
  CHECK(error == "pcf8574: unknown option 'colour' for pcf8574");
  CHECK(devices::attach(board, clock, *parse("i2c:0x20=pcf8574,pins=abc"), error) == 0);
  CHECK(error == "pcf8574: reading 'pins' needs a number");
  int id = devices::attach(board, clock, *parse("i2c=pcf8574,pins=0x0f"), error);
  REQUIRE(id > 0);
  CHECK(board.get(id)->at.to_string() == "i2c:0x20");  // the kind's default address
  CHECK(std::get<double>(board.get(id)->model->state().front().second) == 15);
}
