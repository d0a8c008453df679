// BME280 (Bosch BST-BME280-DS002) on i2c: the register map a driver sees. Chip id 0x60 at 0xD0,
// soft reset at 0xE0, calibration at 0x88..0xA1 and 0xE1..0xE7, ctrl_hum 0xF2 (takes effect at
// the next ctrl_meas write), status 0xF3, ctrl_meas 0xF4, config 0xF5, data 0xF7..0xFE.
// Writes are register/value pairs; reads auto-increment from the register pointer. A forced
// measurement takes the datasheet's typical time and sets status.measuring meanwhile; normal
// mode measures every t_measure + t_standby. The data registers hold the raw values that the
// datasheet's compensation turns into the temperature, pressure and humidity readings at the
// moment the measurement ended, at the resolution the oversampling gives. Not modelled: the
// IIR filter's smoothing (the value is the reading itself), noise, SPI.
#include <algorithm>
#include <array>
#include <cmath>

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

class Bme280 final : public core::board::Model, public core::board::I2cTarget {
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

  void describe(core::board::State& out) const override {
    out.emplace_back("ctrl_hum", static_cast<double>(ctrl_hum_));
    out.emplace_back("ctrl_meas", static_cast<double>(ctrl_meas_));
    out.emplace_back("config", static_cast<double>(config_));
    const char* modes[] = {"sleep", "forced", "forced", "normal"};
    out.emplace_back("mode", std::string(modes[ctrl_meas_ & 3]));
    out.emplace_back("measurements", static_cast<double>(measurements_));
  }

 private:
  void reset() {
    ctrl_hum_ = ctrl_meas_ = config_ = 0;
    osrs_h_ = 0;
    // Power-on values of the data registers: 0x80000 for T and P, 0x8000 for H.
    data_ = {0x80, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x00};
    measuring_until_.reset();
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
        config_ = v & 0xfd;  // bit 1 is reserved
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
    return (now() - start_) % (measure_time() + standby_time()) < measure_time();
  }

  // Brings the data registers up to the measurements that have ended by now.
  void settle() {
    if (!measuring_until_ || now() < *measuring_until_) return;
    int mode = ctrl_meas_ & 3;
    if (mode != 3) {  // forced: one measurement, then back to sleep
      latch(*measuring_until_);
      measuring_until_.reset();
      ctrl_meas_ &= 0xfc;
      return;
    }
    core::Micros cycle = measure_time() + standby_time();
    auto cycles = (now() - start_ - measure_time()) / cycle;  // whole cycles after the first
    core::Micros ended = start_ + measure_time() + cycle * cycles;
    latch(ended);
    measuring_until_ = ended + cycle;
  }

  void latch(core::Micros at) {
    ++measurements_;
    auto raw = bme280::raw_for(cal_, readings().at("temperature", at), readings().at("pressure", at),
                               readings().at("humidity", at));
    int t = samples(ctrl_meas_ >> 5), p = samples((ctrl_meas_ >> 2) & 7), h = samples(osrs_h_);
    // A skipped measurement leaves 0x80000 (0x8000 for humidity); with one sample the result has
    // 16 bits, each doubling of the samples adds one (up to 20).
    auto reduce = [](std::int32_t v, int n) {
      int bits = 16 + static_cast<int>(std::log2(n));
      return v & ~((1 << (20 - bits)) - 1);
    };
    std::int32_t rt = t ? reduce(raw.t, t) : 0x80000, rp = p ? reduce(raw.p, p) : 0x80000;
    std::int32_t rh = h ? raw.h : 0x8000;
    data_ = {static_cast<std::uint8_t>(rp >> 12), static_cast<std::uint8_t>(rp >> 4),
             static_cast<std::uint8_t>((rp & 0xf) << 4), static_cast<std::uint8_t>(rt >> 12),
             static_cast<std::uint8_t>(rt >> 4), static_cast<std::uint8_t>((rt & 0xf) << 4),
             static_cast<std::uint8_t>(rh >> 8), static_cast<std::uint8_t>(rh & 0xff)};
  }

  bme280::Calibration cal_;
  std::array<std::uint8_t, 26> calib1_{};
  std::array<std::uint8_t, 7> calib2_{};
  std::array<std::uint8_t, 8> data_{};
  std::uint8_t ctrl_hum_ = 0, ctrl_meas_ = 0, config_ = 0, osrs_h_ = 0;
  std::uint8_t pointer_ = 0;
  bool have_pointer_ = false;
  core::Micros start_{0};
  std::optional<core::Micros> measuring_until_;
  long measurements_ = 0;
};

}  // namespace

std::unique_ptr<core::board::Model> make_bme280(const ModelSetup& setup, std::string& error) {
  return make_without_param<Bme280>(setup, error);
}

}  // namespace nodemcu_emu::devices
