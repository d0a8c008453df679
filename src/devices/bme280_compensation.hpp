// The BME280's integer compensation (Bosch datasheet BST-BME280-DS002, 4.2.3 and 8.2), and its
// inverse: the raw ADC values a given temperature, pressure and humidity read as. The model
// uses the inverse to fill its data registers so that a driver's compensation returns the
// reading a test set.
#pragma once

#include <cstdint>

namespace nodemcu_emu::devices::bme280 {

struct Calibration {
  std::uint16_t t1;
  std::int16_t t2, t3;
  std::uint16_t p1;
  std::int16_t p2, p3, p4, p5, p6, p7, p8, p9;
  std::uint8_t h1;
  std::int16_t h2;
  std::uint8_t h3;
  std::int16_t h4, h5;  // 12-bit signed in the chip
  std::int8_t h6;
};

// A plausible part's trimming values (the datasheet's example for T and P, a real part's for H).
Calibration typical_calibration();

// The 0x88..0xA1 (26 bytes) and 0xE1..0xE7 (7 bytes) register blocks holding `c`.
void encode(const Calibration& c, std::uint8_t block1[26], std::uint8_t block2[7]);

// Datasheet compensation: t_fine; temperature in 0.01 °C; pressure in Pa as Q24.8; humidity in
// %RH as Q22.10.
std::int32_t t_fine(const Calibration& c, std::int32_t adc_t);
std::int32_t temperature(std::int32_t t_fine);
std::uint32_t pressure(const Calibration& c, std::int32_t t_fine, std::int32_t adc_p);
std::uint32_t humidity(const Calibration& c, std::int32_t t_fine, std::int32_t adc_h);

// The raw values (20-bit T and P, 16-bit H) whose compensation comes closest to the given
// quantities (°C, hPa, %RH), clamped to the sensor's range.
struct Raw {
  std::int32_t t, p, h;
};
Raw raw_for(const Calibration& c, double celsius, double hpa, double rh);

}  // namespace nodemcu_emu::devices::bme280
