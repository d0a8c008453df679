#include <cstdint>
#include <catch2/catch.hpp>

#include "core/rtc.hpp"
#include "modules/sntp/ntp.hpp"

using namespace nodemcu_emu;
using namespace nodemcu_emu::sntp;

TEST_CASE("a request is 48 bytes: LI 0, version 4, mode 3, and the transmit timestamp") {
  auto frame = build_request({0x01020304, 0x05060708});
  REQUIRE(frame.size() == 48);
  CHECK(frame[0] == 0x23);
  for (int i = 1; i < 40; ++i) CHECK(frame[i] == 0);
  CHECK(frame[40] == 1);
  CHECK(frame[47] == 8);
}

TEST_CASE("a reply shorter than 48 bytes is not parsed") {
  std::uint8_t bytes[47] = {};
  CHECK_FALSE(parse_reply(bytes, sizeof bytes));
}

TEST_CASE("a server 100 s ahead with a 20 ms round trip: delta 100 s, delay 20 ms") {
  Timestamp t1{k_ntp_to_unix + 1000, 0};
  std::uint8_t bytes[48] = {};
  bytes[0] = 0x24;
  bytes[1] = 2;
  auto put = [&](int at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  };
  put(24, t1.sec);
  put(28, t1.frac);
  put(32, t1.sec + 100);  // received 10 ms after t1 on the device's clock
  put(36, us_to_frac(10000));
  put(40, t1.sec + 100);
  put(44, us_to_frac(10000));
  auto reply = parse_reply(bytes, 48);
  REQUIRE(reply);
  CHECK(reply->stratum == 2);
  CHECK(reply->mode == 4);
  Sample s = measure(*reply, {t1.sec, us_to_frac(20000)});
  CHECK((s.delta >> 32) == 99);  // (100.01 + 99.99) / 2, a hair under 100 s
  CHECK(offset_field(s.delta).seconds == false);
  CHECK(offset_field(s.delta).value == 99999999);  // 100 s, floored through div1m's fractions
  CHECK(frac16_to_us(s.delay_frac) / 1000 == 19);  // 20 ms in 16.16, floored
}

TEST_CASE("offsets of 256 s or more are reported in whole seconds") {
  auto o = offset_field(std::int64_t{1000} << 32);
  CHECK(o.seconds);
  CHECK(o.value == 1000);
}

TEST_CASE("one server is asked 5 times, 2 or 4 servers 8 requests, 3 servers 9, none 0") {
  auto sends = [](int servers) {
    Schedule s;
    int n = 0;
    while (s.next(servers, [&](int i) { return i < servers; })) ++n;
    return n;
  };
  CHECK(sends(1) == 5);
  CHECK(sends(4) == 8);
  CHECK(sends(2) == 8);
  CHECK(sends(3) == 9);  // three full rounds before 3 * 3 >= 8
  CHECK(sends(0) == 0);
}

TEST_CASE("the sample with the smallest root delay * 2 + delay wins; ties keep the first") {
  Best best;
  Sample a;
  a.stratum = 2;
  a.root_delay = 100;
  Sample b = a;
  b.root_delay = 50;
  CHECK(best.offer(a, 1));
  CHECK(best.offer(b, 2));
  CHECK_FALSE(best.offer(b, 3));
  CHECK(best.server() == 2);
}

TEST_CASE("apply_delta adds seconds and the fraction, carrying microseconds") {
  TimeVal t = apply_delta({10, 900000}, (std::int64_t{5} << 32) | 0x80000000u);
  CHECK(t.sec == 16);
  CHECK(t.usec == 400000);
}

TEST_CASE("only deltas under 200 ms are slewed") {
  CHECK(small_enough_to_slew(std::int64_t{1} << 29));  // 125 ms
  CHECK_FALSE(small_enough_to_slew(std::int64_t{1} << 30));  // 250 ms
  CHECK_FALSE(small_enough_to_slew(std::int64_t{1} << 32));
}

TEST_CASE("a pending leap second moves the offset at the first midnight of a month") {
  LeapOffset leap;
  leap.in_use = true;
  leap.pending = 1;
  leap.update(1483142400);  // 2016-12-31 00:00: arms the next midnight
  CHECK(leap.offset == 0);
  leap.update(1483228800);  // 2017-01-01 00:00
  CHECK(leap.offset == 1);
  CHECK(leap.pending == 0);
}

TEST_CASE("midnight arithmetic wraps at the 32-bit limit as on the chip (found by make fuzz)") {
  LeapOffset leap;
  leap.offset = 1;
  // INT32_MAX + 86400 wraps (undefined behaviour in host C++; the sanitizer build caught it).
  CHECK(leap.midnight_after(INT32_MAX) == static_cast<std::int32_t>(
                                              static_cast<std::uint32_t>(INT32_MAX) + 86400u - 1u -
                                              static_cast<std::uint32_t>((INT32_MAX - 1) % 86400)));
  leap.in_use = true;
  leap.pending = 1;
  leap.update(0x80000000u);  // a time past 2038 seen as a negative int, as the firmware does
  leap.update(0xFFFFFFFFu);
}

TEST_CASE("the RTC is unset until set, then moves with the clock and its rate") {
  core::Rtc rtc;
  using core::Micros;
  CHECK(rtc.epoch_us(Micros(5)) == 0);
  rtc.set_epoch_us(Micros(1000), 1'000'000'000);
  CHECK(rtc.have_time());
  CHECK(rtc.epoch_us(Micros(3'600'001'000)) == 1'000'000'000 + 3'600'000'000);
  rtc.set_rate(Micros(1000), 4295);  // ~1 ppm fast
  CHECK(rtc.epoch_us(Micros(1'000'001'000)) == 1'000'000'000 + 1'000'000'000 + 1000);
  CHECK(rtc.adjust_delta(1'000'000) == 1'000'001);
}
