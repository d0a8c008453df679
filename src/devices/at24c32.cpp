// AT24C32 (Atmel/Microchip datasheet): 4096 bytes of EEPROM behind a 12-bit address pointer.
// A write sends the address (high byte, low byte), then up to 32 data bytes that wrap within
// their 32-byte page; they are programmed at the stop condition, which starts the write cycle
// (t_WR, 10 ms; option twr_ms) during which the chip acknowledges nothing (drivers poll for the
// ACK). Reads go from the pointer, incrementing and rolling over at the end of the memory; a
// write of only the address sets the pointer (the "dummy write" of a random read). Memory
// starts erased (0xff) and keeps its contents across reboots, as EEPROM does.
#include <array>
#include <cstdlib>
#include <vector>

#include "core/board/bus_targets.hpp"
#include "devices/models.hpp"

namespace nodemcu_emu::devices {

namespace {

class At24c32 final : public core::board::Model, public core::board::I2cTarget {
 public:
  explicit At24c32(const core::Clock& clock) : Model(clock) { memory_.fill(0xff); }

  std::string_view kind() const override { return "at24c32"; }

  std::string configure(std::string_view key, std::string_view value) override {
    if (key != "twr_ms") return Model::configure(key, value);
    std::string text(value);
    char* end = nullptr;
    double ms = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || ms < 0) return "twr_ms needs a number of milliseconds";
    write_time_ = core::Micros(static_cast<long long>(ms * 1000));
    return {};
  }

  bool i2c_start(bool read) override {
    if (now() < busy_until_) return false;  // programming: no ACK until the write cycle ends
    pending_.clear();  // data not ended by a stop is never programmed
    address_bytes_ = read ? 2 : 0;
    return true;
  }
  bool i2c_write(std::uint8_t byte) override {
    if (address_bytes_ == 0) {
      pointer_ = static_cast<unsigned>((byte & 0x0f) << 8) | (pointer_ & 0xff);
      ++address_bytes_;
    } else if (address_bytes_ == 1) {
      pointer_ = (pointer_ & 0xf00) | byte;
      ++address_bytes_;
    } else {
      pending_.emplace_back(pointer_, byte);
      pointer_ = (pointer_ & ~k_page_mask) | ((pointer_ + 1) & k_page_mask);  // page roll-over
    }
    return true;
  }
  std::uint8_t i2c_read(bool) override {
    std::uint8_t b = memory_[pointer_];
    pointer_ = (pointer_ + 1) % k_size;
    return b;
  }
  void i2c_repeated_start() override { pending_.clear(); }
  void i2c_stop() override {
    if (pending_.empty()) return;
    for (auto [at, byte] : pending_) memory_[at] = byte;
    pending_.clear();
    ++write_cycles_;
    busy_until_ = now() + write_time_;
  }

  void describe(core::board::State& out) const override {
    out.emplace_back("memory", std::string(memory_.begin(), memory_.end()));
    out.emplace_back("pointer", static_cast<double>(pointer_));
    out.emplace_back("write_cycles", static_cast<double>(write_cycles_));
    out.emplace_back("busy", now() < busy_until_);
  }

 private:
  static constexpr unsigned k_size = 4096;
  static constexpr unsigned k_page_mask = 31;
  std::array<std::uint8_t, k_size> memory_{};
  std::vector<std::pair<unsigned, std::uint8_t>> pending_;
  unsigned pointer_ = 0;
  int address_bytes_ = 0;
  long write_cycles_ = 0;
  core::Micros write_time_{10000};
  core::Micros busy_until_{0};
};

}  // namespace

std::unique_ptr<core::board::Model> make_at24c32(const ModelSetup& setup, std::string& error) {
  return make_without_param<At24c32>(setup, error);
}

}  // namespace nodemcu_emu::devices
