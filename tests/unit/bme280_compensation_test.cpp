// The BME280 model's arithmetic: the datasheet's compensation and its inverse.
#include <catch2/catch.hpp>

#include "devices/bme280_compensation.hpp"

using namespace nodemcu_emu::devices::bme280;

TEST_CASE("the datasheet's example: adc_T 519888 is 25.08 °C with its calibration", "[bme280]") {
  Calibration c = typical_calibration();
  std::int32_t tf = t_fine(c, 519888);
  CHECK(tf == 128422);
  CHECK(temperature(tf) == 2508);
  // adc_P 415148 is 100653.27 Pa in the datasheet's table (Q24.8: 25767236 / 256)
  CHECK(pressure(c, tf, 415148) / 256.0 == Approx(100653.27).margin(0.5));
}

TEST_CASE("raw_for inverts the compensation to its resolution", "[bme280]") {
  Calibration c = typical_calibration();
  for (double t : {-20.0, 0.0, 21.37, 45.5}) {
    for (double p : {850.0, 1013.25}) {
      Raw raw = raw_for(c, t, p, 55.5);
      std::int32_t tf = t_fine(c, raw.t);
      INFO(t << " °C " << p << " hPa");
      CHECK(temperature(tf) / 100.0 == Approx(t).margin(0.011));
      CHECK(pressure(c, tf, raw.p) / 25600.0 == Approx(p).margin(0.01));
      CHECK(humidity(c, tf, raw.h) / 1024.0 == Approx(55.5).margin(0.05));
    }
  }
}

TEST_CASE("the calibration registers hold the 12-bit H4 and H5 split across 0xE4..0xE6", "[bme280]") {
  Calibration c = typical_calibration();
  c.h4 = -300;
  c.h5 = 1234;
  std::uint8_t b1[26], b2[7];
  encode(c, b1, b2);
  CHECK(b1[0] == (27504 & 0xff));
  CHECK(b1[1] == (27504 >> 8));
  CHECK(b1[25] == 75);
  int h4 = static_cast<std::int8_t>(b2[3]) * 16 + (b2[4] & 0x0f);
  int h5 = static_cast<std::int8_t>(b2[5]) * 16 + (b2[4] >> 4);
  CHECK(h4 == -300);
  CHECK(h5 == 1234);
}
