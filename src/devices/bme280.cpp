// BME280 (Bosch BST-BME280-DS002) on i2c or spi: the register map a driver sees. Chip id 0x60 at 0xD0,
// soft reset at 0xE0, calibration at 0x88..0xA1 and 0xE1..0xE7, ctrl_hum 0xF2 (takes effect at
// the next ctrl_meas write), status 0xF3, ctrl_meas 0xF4, config 0xF5, data 0xF7..0xFE.
// Writes are register/value pairs; reads auto-increment from the register pointer. A forced
// measurement takes the datasheet's typical time and sets status.measuring meanwhile; normal
// mode measures every t_measure + t_standby. The data registers hold the raw values that the
// datasheet's compensation turns into the temperature, pressure and humidity readings at the
// moment the measurement ended, at the resolution the oversampling gives (20 bits with the IIR
// filter on), smoothed by the IIR filter (config[4:2]) as 3.4.4 gives it. On spi (6.3) a control
// byte's bit 7 says read (1) or write (0) and its other 7 bits are the register with bit 7 set;
// writes are control/data pairs, reads auto-increment until chip-select rises. Not modelled:
// noise, 3-wire SPI.
#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <utility>

#include "core/board/bus_targets.hpp"
#include "devices/bme280_compensation.hpp"
#include "devices/models.hpp"

namespace nodemcu_emu::devices {

namespace {

namespace reg {
constexpr std::uint8_t calib1 = 0x88, chip_id = 0xD0, reset = 0xE0, calib2 = 0xE1, ctrl_hum = 0xF2,
                       status = 0xF3, ctrl_meas = 0xF4, config = 0xF5, data = 0xF7;
}  // namespace reg
constexpr std::uint8_t k_chip_id = 0x60;
constexpr std::uint8_t k_reset_word = 0xB6;

// An oversampling field's sample count: 0 = skipped, then 1, 2, 4, 8, 16 (5..7 are 16 too).
int samples(unsigned field) { return field == 0 ? 0 : 1 << (std::min(field, 5u) - 1); }

// The IIR filter's coefficient for config[4:2]: 0 is off, then 2, 4, 8, 16 (5..7 are 16 too).
int filter_coefficient(unsigned field) { return field == 0 ? 1 : 1 << std::min(field, 4u); }

// The most measurements one settle() runs through the filter: older ones weigh less than
// (15/16)^512 ~ 5e-15 of the result, so a long stretch of virtual time costs no more than this.
constexpr long k_filter_history = 512;

class Bme280 final : public core::board::Model,
                     public core::board::I2cTarget,
                     public core::board::SpiTarget {
 public:
  explicit Bme280(const core::Clock& clock) : Model(clock), cal_(bme280::typical_calibration()) {
    readings().declare("temperature", 22.5);  // °C
    readings().declare("pressure", 1013.25);  // hPa
    readings().declare("humidity", 45.0);     // %RH
    bme280::encode(cal_, calib1_.data(), calib2_.data());
    reset();
  }

  std::string_view kind() const override { return "bme280"; }

  bool i2c_start(bool read) override {
    settle();  // a burst read sees one measurement (the chip shadows the data registers)
    (void)read;  // a read continues from the pointer; a write sets it first
    have_pointer_ = false;
    return true;
  }
  bool i2c_write(std::uint8_t byte) override {
    if (!have_pointer_) {
      pointer_ = byte;
      have_pointer_ = true;
    } else {
      write_register(pointer_, byte);
      have_pointer_ = false;  // writes are pairs: the next byte is a register address again
    }
    return true;
  }
  std::uint8_t i2c_read(bool) override { return read_register(pointer_++); }

  void spi_select(bool selected) override {
    if (selected) settle();  // as i2c_start: a burst read sees one measurement
    spi_control_ = false;     // the first byte after chip-select falls is a control byte
  }
  std::uint8_t spi_transfer(std::uint8_t mosi) override {
    if (!spi_control_) {
      spi_control_ = true;
      spi_read_ = (mosi & 0x80) != 0;
      pointer_ = static_cast<std::uint8_t>(mosi | 0x80);  // 7 address bits; bit 7 is always 1
      return 0xff;  // SDO is not driven during the control byte
    }
    if (spi_read_) return read_register(pointer_++);
    write_register(pointer_, mosi);
    spi_control_ = false;  // control/data pairs
    return 0xff;
  }

  void describe(core::board::State& out) const override {
    out.emplace_back("ctrl_hum", static_cast<double>(ctrl_hum_));
    out.emplace_back("ctrl_meas", static_cast<double>(ctrl_meas_));
    out.emplace_back("config", static_cast<double>(config_));
    const char* modes[] = {"sleep", "forced", "forced", "normal"};
    out.emplace_back("mode", std::string(modes[ctrl_meas_ & 3]));
    out.emplace_back("measurements", static_cast<double>(measurements_));
    out.emplace_back("filter", static_cast<double>(filter_coefficient((config_ >> 2) & 7)));
  }

 private:
  void reset() {
    ctrl_hum_ = ctrl_meas_ = config_ = 0;
    osrs_h_ = 0;
    // Power-on values of the data registers: 0x80000 for T and P, 0x8000 for H.
    data_ = {0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00};
    measuring_until_.reset();
    filtered_.reset();
  }

  // Measurement time in µs (datasheet 9.1, typical): 1 ms + 2 ms per sample, + 0.5 ms per
  // pressure and humidity measurement.
  core::Micros measure_time() const {
    int t = samples(ctrl_meas_ >> 5), p = samples((ctrl_meas_ >> 2) & 7), h = samples(osrs_h_);
    long us = 1000 + 2000 * t + (p ? 2000 * p + 500 : 0) + (h ? 2000 * h + 500 : 0);
    return core::Micros(us);
  }
  // t_standby of config[7:5] in µs.
  core::Micros standby_time() const {
    static constexpr long table[] = {500, 62500, 125000, 250000, 500000, 1000000, 10000, 20000};
    return core::Micros(table[config_ >> 5]);
  }

  void write_register(std::uint8_t r, std::uint8_t v) {
    settle();
    switch (r) {
      case reg::reset:
        if (v == k_reset_word) reset();
        break;
      case reg::ctrl_hum:
        ctrl_hum_ = v & 0x07;
        break;
      case reg::ctrl_meas:
        ctrl_meas_ = v;
        osrs_h_ = ctrl_hum_;  // "changes to ctrl_hum only become effective after ctrl_meas"
        start_ = now();
        measuring_until_ = (v & 3) != 0 ? std::optional(start_ + measure_time()) : std::nullopt;
        break;
      case reg::config:
        // bit 1 is reserved. A new filter coefficient starts from the next measurement.
        if (((v ^ config_) & 0x1c) != 0) filtered_.reset();
        config_ = v & 0xfd;
        // A new t_standby in normal mode: the measurement under way ends as planned, the
        // cycles after it take the new length.
        if (measuring_until_ && (ctrl_meas_ & 3) == 3) start_ = *measuring_until_ - measure_time();
        break;
      default:
        break;  // read-only or reserved: ignored, as the chip does
    }
  }

  std::uint8_t read_register(std::uint8_t r) const {
    if (r >= reg::calib1 && r < reg::calib1 + calib1_.size()) return calib1_[r - reg::calib1];
    if (r >= reg::calib2 && r < reg::calib2 + calib2_.size()) return calib2_[r - reg::calib2];
    if (r >= reg::data && r < reg::data + data_.size()) return data_[r - reg::data];
    switch (r) {
      case reg::chip_id: return k_chip_id;
      case reg::ctrl_hum: return ctrl_hum_;
      case reg::status: return measuring() ? 0x08 : 0x00;
      case reg::ctrl_meas: return ctrl_meas_;
      case reg::config: return config_;
      default: return 0x00;
    }
  }

  // status.measuring: during a conversion (normal mode: the first part of every cycle).
  bool measuring() const {
    if (!measuring_until_) return false;
    if ((ctrl_meas_ & 3) != 3) return now() < *measuring_until_;
    if (now() < start_) return false;  // in the standby before a cycle a config write re-timed
    return (now() - start_) % (measure_time() + standby_time()) < measure_time();
  }

  // Brings the data registers up to the measurements that have ended by now: in normal mode
  // every cycle ended since the last settle goes through the filter (the last
  // k_filter_history of them; without the filter only the last one matters).
  void settle() {
    if (!measuring_until_ || now() < *measuring_until_) return;
    int mode = ctrl_meas_ & 3;
    if (mode != 3) {  // forced: one measurement, then back to sleep
      ++measurements_;
      latch(*measuring_until_);
      measuring_until_.reset();
      ctrl_meas_ &= 0xfc;
      return;
    }
    core::Micros cycle = measure_time() + standby_time();
    auto last = (now() - start_ - measure_time()) / cycle;        // whole cycles after the first
    auto first = (*measuring_until_ - start_ - measure_time()) / cycle;  // the first not latched
    if (last < first) return;
    long count = static_cast<long>(last - first) + 1;
    measurements_ += count;
    long run = filter_coefficient((config_ >> 2) & 7) == 1 ? 1 : std::min(count, k_filter_history);
    for (auto k = last - run + 1; k <= last; ++k) latch(start_ + measure_time() + cycle * k);
    measuring_until_ = start_ + measure_time() + cycle * (last + 1);
  }

  // One measurement ending at `at` reaches the data registers.
  void latch(core::Micros at) {
    auto raw = bme280::raw_for(cal_, readings().at("temperature", at), readings().at("pressure", at),
                               readings().at("humidity", at));
    int t = samples(ctrl_meas_ >> 5), p = samples((ctrl_meas_ >> 2) & 7), h = samples(osrs_h_);
    int c = filter_coefficient((config_ >> 2) & 7);
    // A skipped measurement leaves 0x80000 (0x8000 for humidity); with one sample the result has
    // 16 bits, each doubling of the samples adds one (up to 20); the filter's output has 20.
    auto reduce = [c](std::int32_t v, int n) {
      int bits = c > 1 ? 20 : 16 + static_cast<int>(std::log2(n));
      return v & ~((1 << (20 - bits)) - 1);
    };
    auto [ft, fp] = filter(raw.t, raw.p, c);
    std::int32_t rt = t ? reduce(ft, t) : 0x80000, rp = p ? reduce(fp, p) : 0x80000;
    std::int32_t rh = h ? raw.h : 0x8000;  // the filter is not applied to humidity
    data_ = {static_cast<std::uint8_t>(rp >> 12), static_cast<std::uint8_t>(rp >> 4),
             static_cast<std::uint8_t>((rp & 0xf) << 4), static_cast<std::uint8_t>(rt >> 12),
             static_cast<std::uint8_t>(rt >> 4), static_cast<std::uint8_t>((rt & 0xf) << 4),
             static_cast<std::uint8_t>(rh >> 8), static_cast<std::uint8_t>(rh & 0xff)};
  }

  // 3.4.4: filtered = (previous * (c - 1) + new) / c, on the ADC values of temperature and
  // pressure. The filter starts from the first measurement after a reset or a change of the
  // coefficient (the datasheet does not say; starting from 0x80000 would take tens of cycles).
  std::pair<std::int32_t, std::int32_t> filter(std::int32_t t, std::int32_t p, int c) {
    if (c == 1) return {t, p};
    if (!filtered_) {
      filtered_ = {static_cast<double>(t), static_cast<double>(p)};
    } else {
      auto& f = *filtered_;
      f[0] = (f[0] * (c - 1) + t) / c;
      f[1] = (f[1] * (c - 1) + p) / c;
    }
    return {static_cast<std::int32_t>(std::lround((*filtered_)[0])),
            static_cast<std::int32_t>(std::lround((*filtered_)[1]))};
  }

  bme280::Calibration cal_;
  std::array<std::uint8_t, 26> calib1_{};
  std::array<std::uint8_t, 7> calib2_{};
  std::array<std::uint8_t, 8> data_{};
  std::uint8_t ctrl_hum_ = 0, ctrl_meas_ = 0, config_ = 0, osrs_h_ = 0;
  std::uint8_t pointer_ = 0;
  bool have_pointer_ = false;
  bool spi_control_ = false, spi_read_ = false;  // spi: the control byte came; its R/W bit
  std::optional<std::array<double, 2>> filtered_;  // the IIR filter's T and P, unrounded
  core::Micros start_{0};
  std::optional<core::Micros> measuring_until_;
  long measurements_ = 0;
};

}  // namespace

std::unique_ptr<core::board::Model> make_bme280(const ModelSetup& setup, std::string& error) {
  return make_without_param<Bme280>(setup, error);
}

}  // namespace nodemcu_emu::devices
