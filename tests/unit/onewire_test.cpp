// The 1-Wire core: the firmware's master algorithms (search, CRCs) against DS18B20 models.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "core/board/onewire_crc.hpp"
#include "devices/ds18b20.hpp"
#include "modules/ow/onewire_master.hpp"

using namespace nodemcu_emu::modules::ow;
using nodemcu_emu::core::VirtualClock;
using nodemcu_emu::core::board::onewire_crc16;
using nodemcu_emu::core::board::onewire_crc8;
using nodemcu_emu::devices::Ds18b20;
using std::chrono::milliseconds;

namespace {
std::uint8_t crc8_of(const std::string& s) {
  return onewire_crc8(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}
std::uint8_t crc8(const std::uint8_t* p, std::size_t n) {
  return onewire_crc8(p, n);
}
VirtualClock clock_;
std::shared_ptr<Ds18b20> probe(std::uint64_t serial, double celsius = 21.0, bool parasite = false) {
  auto d = std::make_shared<Ds18b20>(clock_, serial, parasite);
  d->readings().set("temperature", celsius);
  return d;
}
}  // namespace

TEST_CASE("crc8 and crc16 give the Dallas/Maxim check values", "[onewire]") {
  CHECK(crc8_of("123456789") == 0xA1);
  std::string s = "123456789";
  CHECK(onewire_crc16(reinterpret_cast<const std::uint8_t*>(s.data()), s.size(), 0) == 0xBB3D);
  CHECK(crc8_of("") == 0);
}

TEST_CASE("an empty bus gives no presence pulse and search finds nothing", "[onewire]") {
  OneWireBus bus;
  Timings t;
  Master m(bus, 1, t, Micros(0));
  CHECK(m.reset() == 0);
  CHECK(m.read() == 0xFF);
  SearchState s;
  Rom rom{};
  CHECK_FALSE(m.search(s, rom, false));
}

TEST_CASE("a reset takes the driver's 962 us and each read slot 65 us", "[onewire]") {
  OneWireBus bus({probe(1)});
  Timings t;
  Master m(bus, 1, t, Micros(0));
  CHECK(m.reset() == 1);
  CHECK(m.elapsed() == Micros(962));
  m.read();
  CHECK(m.elapsed() == Micros(962 + 8 * 65));
}

TEST_CASE("search enumerates every ROM on the bus once, each with a valid CRC", "[onewire]") {
  std::set<Rom> attached;
  std::vector<std::shared_ptr<OneWireTarget>> probes;
  for (std::uint64_t serial : {0x1234ULL, 0x1235ULL, 0xFFFFFFULL, 0x800000000000ULL, 7ULL}) {
    auto d = probe(serial);
    attached.insert(d->rom());
    probes.push_back(d);
  }
  OneWireBus bus(probes);
  Timings t;
  Master m(bus, 1, t, Micros(0));
  SearchState s;
  std::set<Rom> found;
  Rom rom{};
  int rounds = 0;
  while (m.search(s, rom, false) && rounds++ < 10) {
    CHECK(crc8(rom.data(), 7) == rom[7]);
    CHECK(rom[0] == 0x28);
    found.insert(rom);
  }
  CHECK(rounds == 5);
  CHECK(found == attached);
  // after the last device the next search starts over
  CHECK(m.search(s, rom, false));
}

TEST_CASE("target_search starts at the family asked for; without one it finds another",
          "[onewire]") {
  auto low = probe(42);
  OneWireBus bus({low});
  Timings t;
  Master m(bus, 1, t, Micros(0));
  SearchState s;
  Rom rom{};
  target_search(s, 0x28);
  CHECK(m.search(s, rom, false));
  CHECK(rom == low->rom());
  // Dallas' algorithm: no device of family 0x10 means the search goes on to the next one (the
  // caller checks the family byte, as the firmware's docs say).
  target_search(s, 0x10);
  CHECK(m.search(s, rom, false));
  CHECK(rom[0] == 0x28);
}

TEST_CASE("a DS18B20 reads 85 C before its first conversion, then the source's value",
          "[onewire][ds18b20]") {
  auto d = probe(1, 21.5);
  OneWireBus bus({d});
  Timings t;
  auto read_scratchpad = [&](Micros at) {
    Master m(bus, 1, t, at);
    m.reset();
    m.select(d->rom());
    m.write(0xBE);
    std::array<std::uint8_t, 9> sp{};
    for (auto& b : sp) b = m.read();
    return sp;
  };
  auto sp = read_scratchpad(Micros(0));
  CHECK(crc8(sp.data(), 8) == sp[8]);
  CHECK((sp[0] | sp[1] << 8) == 0x0550);

  Master m(bus, 1, t, Micros(1000));
  m.reset();
  m.skip();
  m.write(0x44);
  CHECK(m.read_bit() == 0);  // busy
  Micros started = Micros(1000) + m.elapsed();
  sp = read_scratchpad(started + milliseconds(100));
  CHECK((sp[0] | sp[1] << 8) == 0x0550);  // 750 ms at 12 bits: not done yet
  sp = read_scratchpad(started + milliseconds(751));
  CHECK((sp[0] | sp[1] << 8) == 21.5 * 16);
  CHECK(crc8(sp.data(), 8) == sp[8]);
}

TEST_CASE("negative temperatures and lower resolutions encode as the datasheet's table",
          "[onewire][ds18b20]") {
  CHECK(Ds18b20::encode(-10.125, 12) == static_cast<std::int16_t>(0xFF5E));
  CHECK(Ds18b20::encode(-55, 12) == static_cast<std::int16_t>(0xFC90));
  CHECK(Ds18b20::encode(125, 12) == 0x07D0);
  CHECK(Ds18b20::encode(25.0625, 12) == 0x0191);
  CHECK(Ds18b20::encode(25.0625, 9) == 0x0190);
  CHECK(Ds18b20::encode(200, 12) == 0x07D0);  // clamped to the range
}

TEST_CASE("Write Scratchpad sets the resolution and with it the conversion time",
          "[onewire][ds18b20]") {
  auto d = probe(1);
  OneWireBus bus({d});
  Timings t;
  Master m(bus, 1, t, Micros(0));
  m.reset();
  m.skip();
  m.write(0x4E);
  m.write(0x20);
  m.write(0x10);
  m.write(0x1F);  // 9 bits
  CHECK(d->resolution_bits() == 9);
  CHECK(d->conversion_time() == Micros(93750));
  CHECK(d->scratchpad(m.elapsed())[4] == 0x1F);
}

TEST_CASE("Read Power Supply: a parasite-powered device pulls the slot low", "[onewire][ds18b20]") {
  auto d = probe(1, 21.0, true);
  OneWireBus bus({d});
  Timings t;
  Master m(bus, 1, t, Micros(0));
  m.reset();
  m.select(d->rom());
  m.write(0xB4);
  CHECK(m.read() == 0);
}

TEST_CASE("Alarm Search finds only devices whose last conversion is outside TH..TL",
          "[onewire][ds18b20]") {
  auto hot = probe(1, 90.0);  // TH is 75 C
  auto fine = probe(2, 72.0);
  OneWireBus bus({hot, fine});
  Timings t;
  Master m(bus, 1, t, Micros(0));
  m.reset();
  m.skip();
  m.write(0x44);
  Master later(bus, 1, t, Micros(0) + m.elapsed() + milliseconds(800));
  SearchState s;
  Rom rom{};
  REQUIRE(later.search(s, rom, true));
  CHECK(rom == hot->rom());
  CHECK_FALSE(later.search(s, rom, true));
}
