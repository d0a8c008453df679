// A DS18B20 thermometer (Maxim datasheet 19-7487): the ROM layer, Convert T taking its time on
// the Clock (93.75..750 ms by resolution; read slots answer 0 while it runs), the scratchpad
// with its CRC, Write/Copy/Recall, alarm flags for Alarm Search, and the power-on 85 °C. Its
// reading "temperature" (°C) is sampled when a conversion starts.
#pragma once

#include <array>
#include <optional>

#include "core/board/model.hpp"
#include "devices/onewire_rom.hpp"

namespace nodemcu_emu::devices {

class Ds18b20 final : public core::board::Model, public OneWireRom {
 public:
  static constexpr std::uint8_t k_family = 0x28;

  Ds18b20(const core::Clock& clock, std::uint64_t serial, bool parasite = false);

  std::string_view kind() const override { return "ds18b20"; }
  // parasite=1: powered from the data line (Read Power Supply answers 0).
  std::string configure(std::string_view key, std::string_view value) override;
  void describe(core::board::State& out) const override;

  // The 9 bytes Read Scratchpad sends (a conversion due by `now` is finished first).
  std::array<std::uint8_t, 9> scratchpad(Micros now);
  // The register value for °C (clamped to -55..125), rounded as the chip does at `bits`.
  static std::int16_t encode(double celsius, int resolution_bits);
  int resolution_bits() const { return 9 + ((scratch_[4] >> 5) & 3); }
  Micros conversion_time() const;

 protected:
  void on_byte(std::uint8_t byte, Micros now) override;
  int idle_read_bit(Micros now) override;
  bool alarm(Micros now) override;

 private:
  void finish_conversion(Micros now);
  void update_crc();

  bool parasite_;
  std::array<std::uint8_t, 9> scratch_{};
  std::array<std::uint8_t, 3> eeprom_{0x4B, 0x46, 0x7F};  // TH 75 °C, TL 70 °C, 12 bits
  std::optional<Micros> converting_since_;
  bool alarm_flag_ = false;  // set by each conversion
  enum class Pending { none, status, power, write_scratchpad } pending_ = Pending::none;
  int write_index_ = 0;
};

}  // namespace nodemcu_emu::devices
