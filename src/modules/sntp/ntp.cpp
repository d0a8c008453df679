#include "modules/sntp/ntp.hpp"

#include <cstring>

namespace nodemcu_emu::sntp {

namespace {

std::uint32_t read32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

Timestamp read_timestamp(const std::uint8_t* p) { return {read32(p), read32(p + 4)}; }

void write32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// div1m: n / 10^6 by shifts (the ESP8266 has no fast 64-bit division).
std::uint64_t div1m(std::uint64_t n) {
  std::uint64_t q1 = (n >> 5) + (n >> 10);
  std::uint64_t q2 = (n >> 12) + (q1 >> 1);
  std::uint64_t q3 = (q2 >> 11) - (q2 >> 23);
  return (n + q1 + q2 - q3) >> 20;
}

// SUS_TO_FRAC(200000): 200 ms in 32.32.
constexpr std::int64_t k_slew_limit = (std::int64_t{200000} << 32) / 1000000;
constexpr std::int64_t k_pll_a = std::int64_t{1} << (32 - 11);
constexpr std::int64_t k_pll_b = std::int64_t{1} << (32 - 11 - 2);

}  // namespace

std::uint32_t us_to_frac(std::uint32_t us) {
  return static_cast<std::uint32_t>(div1m(std::uint64_t{us} << 32));
}

std::uint32_t frac16_to_us(std::uint64_t frac16) {
  return static_cast<std::uint32_t>((frac16 * 1000000) >> 16);
}

Timestamp to_ntp(TimeVal tv, std::uint8_t leap_offset) {
  return {tv.sec - leap_offset + k_ntp_to_unix, us_to_frac(tv.usec)};
}

std::array<std::uint8_t, k_frame_size> build_request(Timestamp xmit) {
  std::array<std::uint8_t, k_frame_size> frame{};
  frame[0] = (0 << 6) | (4 << 3) | 3;  // LI 0, VN 4, mode 3 (the bitfield order of ntp_frame_t)
  write32(&frame[40], xmit.sec);
  write32(&frame[44], xmit.frac);
  return frame;
}

std::optional<Reply> parse_reply(const std::uint8_t* data, std::size_t n) {
  if (n < k_frame_size) return std::nullopt;
  Reply r;
  r.leap = data[0] >> 6;
  r.version = (data[0] >> 3) & 7;
  r.mode = data[0] & 7;
  r.stratum = data[1];
  r.root_delay = read32(data + 4);
  r.root_dispersion = read32(data + 8);
  std::memcpy(r.refid.data(), data + 12, 4);
  r.origin = read_timestamp(data + 24);
  r.recv = read_timestamp(data + 32);
  r.xmit = read_timestamp(data + 40);
  return r;
}

Sample measure(const Reply& r, Timestamp dest) {
  std::uint64_t t1 = r.origin.fixed(), t2 = r.recv.fixed(), t3 = r.xmit.fixed(), t4 = dest.fixed();
  Sample s;
  // "Compensation as per RFC2030": each half divided separately, as the firmware does.
  s.delta = static_cast<std::int64_t>(t2 - t1) / 2 + static_cast<std::int64_t>(t3 - t4) / 2;
  s.delay_frac = static_cast<std::uint32_t>(static_cast<std::int64_t>(t4 - t1 - (t3 - t2)) >> 16);
  s.root_delay = r.root_delay;
  s.root_dispersion = r.root_dispersion;
  s.root_maxerr = r.root_dispersion + r.root_delay / 2;
  s.stratum = r.stratum;
  s.leap = r.leap;
  return s;
}

bool Best::offer(const Sample& s, std::uint32_t ip) {
  std::uint32_t rank = s.root_delay * 2 + s.delay_frac;  // compared unsigned, as best.delay is
  if (sample_.stratum != 0 && !(rank < rank_)) return false;
  sample_ = s;
  rank_ = rank;
  server_ = ip;
  return true;
}

TimeVal apply_delta(TimeVal now, std::int64_t delta) {
  now.sec += static_cast<std::uint32_t>(static_cast<std::int32_t>(delta >> 32));
  now.usec += static_cast<std::uint32_t>((std::int64_t{1000000} * (delta & 0xFFFFFFFF)) >> 32);
  while (now.usec >= 1000000) {
    now.usec -= 1000000;
    now.sec++;
  }
  return now;
}

Offset offset_field(std::int64_t delta) {
  auto d40 = static_cast<std::int32_t>(delta >> 40);
  if (d40 != 0 && d40 != -1) return {true, delta >> 32};
  return {false, (delta * 1000000) >> 32};
}

bool small_enough_to_slew(std::int64_t delta) {
  return delta > -k_slew_limit && delta < k_slew_limit;
}

std::int32_t Pll::step(std::int64_t delta) {
  std::int64_t f = ((delta * k_pll_a) >> 32) + increment;
  increment += (delta * k_pll_b) >> 32;
  return static_cast<std::int32_t>(f);
}

namespace {
// The chip's 32-bit int arithmetic wraps; on a host a signed overflow is undefined, so it is
// done in 64 bits and cut back to 32 the way the chip's registers would.
std::int32_t wrap32(std::int64_t v) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); }
}  // namespace

std::int32_t LeapOffset::midnight_after(std::int32_t now_sec) const {
  std::int32_t since_offset = wrap32(std::int64_t{now_sec} - offset);
  return wrap32(std::int64_t{now_sec} + 86400 - offset - since_offset % 86400);
}

void LeapOffset::update(std::uint32_t now_sec) {
  if (!pending || !in_use) return;
  auto now = static_cast<std::int32_t>(now_sec);
  if (next_midnight < 100000) {
    next_midnight = midnight_after(now);
    return;
  }
  std::int32_t since_offset = wrap32(std::int64_t{now} - offset);
  if (since_offset < next_midnight) return;
  next_midnight = midnight_after(now);
  // Day of the month of the midnight just passed, by the firmware's civil-date arithmetic:
  // a leap second is only ever inserted at the end of a month.
  int day = since_offset / 86400 + 1970 * 365 + 1970 / 4 - 19 + 4 - 31 - 28;
  int century = (4 * day + 3) / 146097;
  day = day - century * 146097 / 4;
  int year = (4 * day + 3) / 1461;
  day = day - year * 1461 / 4;
  int month = (5 * day + 2) / 153;
  day = day - (153 * month + 2) / 5;
  if (day == 0) offset = static_cast<std::uint8_t>(pending == 1 ? offset + 1 : offset - 1);
  pending = 0;
}

}  // namespace nodemcu_emu::sntp
