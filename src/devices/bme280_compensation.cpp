#include "devices/bme280_compensation.hpp"

#include <cmath>

namespace nodemcu_emu::devices::bme280 {

namespace {
// The datasheet shifts signed values left; a multiplication says the same without relying on
// C++20's definition of a negative left shift (and keeps UBSan of older modes quiet).
constexpr std::int64_t shl(std::int64_t v, int n) { return v * (std::int64_t{1} << n); }

void put16(std::uint8_t* at, std::uint16_t v) {
  at[0] = static_cast<std::uint8_t>(v & 0xff);
  at[1] = static_cast<std::uint8_t>(v >> 8);
}

// The smallest x in [lo, hi] with f(x) >= target for an increasing f (hi when none).
template <class F>
std::int32_t search_increasing(std::int32_t lo, std::int32_t hi, double target, F f) {
  while (lo < hi) {
    std::int32_t mid = lo + (hi - lo) / 2;
    if (f(mid) >= target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
}  // namespace

Calibration typical_calibration() {
  return Calibration{27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,
                     75,    362,   0,     313,   50,     30};
}

void encode(const Calibration& c, std::uint8_t b1[26], std::uint8_t b2[7]) {
  const std::uint16_t words[12] = {c.t1,
                                   static_cast<std::uint16_t>(c.t2),
                                   static_cast<std::uint16_t>(c.t3),
                                   c.p1,
                                   static_cast<std::uint16_t>(c.p2),
                                   static_cast<std::uint16_t>(c.p3),
                                   static_cast<std::uint16_t>(c.p4),
                                   static_cast<std::uint16_t>(c.p5),
                                   static_cast<std::uint16_t>(c.p6),
                                   static_cast<std::uint16_t>(c.p7),
                                   static_cast<std::uint16_t>(c.p8),
                                   static_cast<std::uint16_t>(c.p9)};
  for (int i = 0; i < 12; ++i) put16(b1 + 2 * i, words[i]);
  b1[24] = 0;  // 0xA0: reserved
  b1[25] = c.h1;
  put16(b2, static_cast<std::uint16_t>(c.h2));
  b2[2] = c.h3;
  auto h4 = static_cast<std::uint16_t>(c.h4), h5 = static_cast<std::uint16_t>(c.h5);
  b2[3] = static_cast<std::uint8_t>((h4 >> 4) & 0xff);                // 0xE4: H4[11:4]
  b2[4] = static_cast<std::uint8_t>((h4 & 0x0f) | ((h5 & 0x0f) << 4));  // 0xE5: H5[3:0] H4[3:0]
  b2[5] = static_cast<std::uint8_t>((h5 >> 4) & 0xff);                // 0xE6: H5[11:4]
  b2[6] = static_cast<std::uint8_t>(c.h6);
}

std::int32_t t_fine(const Calibration& c, std::int32_t adc_t) {
  std::int64_t var1 = ((adc_t >> 3) - shl(c.t1, 1)) * c.t2 >> 11;
  std::int64_t d = (adc_t >> 4) - std::int64_t{c.t1};
  std::int64_t var2 = ((d * d) >> 12) * c.t3 >> 14;
  return static_cast<std::int32_t>(var1 + var2);
}

std::int32_t temperature(std::int32_t tf) { return (tf * 5 + 128) >> 8; }

std::uint32_t pressure(const Calibration& c, std::int32_t tf, std::int32_t adc_p) {
  std::int64_t var1 = std::int64_t{tf} - 128000;
  std::int64_t var2 = var1 * var1 * c.p6;
  var2 = var2 + shl(var1 * c.p5, 17);
  var2 = var2 + shl(c.p4, 35);
  var1 = ((var1 * var1 * c.p3) >> 8) + shl(var1 * c.p2, 12);
  var1 = ((shl(1, 47) + var1) * c.p1) >> 33;
  if (var1 == 0) return 0;  // the datasheet's guard against a division by zero
  std::int64_t p = 1048576 - adc_p;
  p = (shl(p, 31) - var2) * 3125 / var1;
  var1 = (std::int64_t{c.p9} * (p >> 13) * (p >> 13)) >> 25;
  var2 = (std::int64_t{c.p8} * p) >> 19;
  p = ((p + var1 + var2) >> 8) + shl(c.p7, 4);
  return static_cast<std::uint32_t>(p);
}

std::uint32_t humidity(const Calibration& c, std::int32_t tf, std::int32_t adc_h) {
  std::int64_t v = std::int64_t{tf} - 76800;
  std::int64_t a = (shl(adc_h, 14) - shl(c.h4, 20) - std::int64_t{c.h5} * v + 16384) >> 15;
  std::int64_t b = ((((v * c.h6) >> 10) * (((v * c.h3) >> 11) + 32768)) >> 10) + 2097152;
  v = a * ((b * c.h2 + 8192) >> 14);
  v = v - (((((v >> 15) * (v >> 15)) >> 7) * c.h1) >> 4);
  if (v < 0) v = 0;
  if (v > 419430400) v = 419430400;
  return static_cast<std::uint32_t>(v >> 12);
}

Raw raw_for(const Calibration& c, double celsius, double hpa, double rh) {
  constexpr std::int32_t k_max20 = (1 << 20) - 1;
  Raw raw{};
  raw.t = search_increasing(0, k_max20, std::round(celsius * 100),
                            [&](std::int32_t x) { return temperature(t_fine(c, x)); });
  std::int32_t tf = t_fine(c, raw.t);
  // Pressure falls as adc_P rises: search on the negated value.
  raw.p = search_increasing(0, k_max20, -std::round(hpa * 100 * 256),
                            [&](std::int32_t x) { return -static_cast<double>(pressure(c, tf, x)); });
  raw.h = search_increasing(0, 0xffff, std::round(rh * 1024),
                            [&](std::int32_t x) { return static_cast<double>(humidity(c, tf, x)); });
  return raw;
}

}  // namespace nodemcu_emu::devices::bme280
