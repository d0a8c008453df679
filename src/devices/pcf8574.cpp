// PCF8574 (NXP datasheet): one quasi-bidirectional port. A write sets the output latch (a 1 is a
// weak pull-up, so the pin can be used as an input); a read returns each pin's level: low where
// the latch drives it low or something outside pulls it low (the 'pins' reading, 0xff = nothing
// does). No registers, no address pointer: every byte is the whole port.
#include <cstdint>

#include "core/board/bus_targets.hpp"
#include "devices/models.hpp"

namespace nodemcu_emu::devices {

namespace {

class Pcf8574 final : public core::board::Model, public core::board::I2cTarget {
 public:
  explicit Pcf8574(const core::Clock& clock) : Model(clock) { readings().declare("pins", 0xff); }

  std::string_view kind() const override { return "pcf8574"; }

  bool i2c_start(bool) override { return true; }
  bool i2c_write(std::uint8_t byte) override {
    latch_ = byte;
    // Every byte written, so that a test can follow a protocol driven through the port (an
    // HD44780 in 4-bit mode behind the usual LCD backpack). Bounded: the oldest half goes.
    if (writes_.size() >= k_history) writes_.erase(0, k_history / 2);
    writes_.push_back(static_cast<char>(byte));
    return true;
  }
  std::uint8_t i2c_read(bool) override { return port(); }

  void describe(core::board::State& out) const override {
    out.emplace_back("latch", static_cast<double>(latch_));
    out.emplace_back("port", static_cast<double>(port()));
    out.emplace_back("writes", writes_);
  }

 private:
  static constexpr std::size_t k_history = 65536;
  std::uint8_t port() const {
    return static_cast<std::uint8_t>(latch_ & static_cast<unsigned>(reading("pins")));
  }
  std::uint8_t latch_ = 0xff;  // power-on: all pins high (inputs)
  std::string writes_;
};

}  // namespace

std::unique_ptr<core::board::Model> make_pcf8574(const ModelSetup& setup, std::string& error) {
  return make_without_param<Pcf8574>(setup, error);
}

}  // namespace nodemcu_emu::devices
