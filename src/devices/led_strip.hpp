// A WS2812/SK6812 LED strip on a ws2812 output: each LED keeps the first `channels` bytes that
// reach it (G, R, B[, W]) and passes the rest on; a frame shorter than the strip leaves the
// LEDs beyond it as they were, bytes beyond the last LED are lost. PARAM: the LED count
// (strip:30); option channels=4 for RGBW strips.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/board/model.hpp"
#include "core/board/pin_targets.hpp"

namespace nodemcu_emu::devices {

class LedStrip final : public core::board::Model, public core::board::Ws2812Target {
 public:
  LedStrip(const core::Clock& clock, std::size_t leds, std::size_t channels = 3)
      : Model(clock), leds_(leds), channels_(channels), values_(leds * channels) {}

  std::string_view kind() const override { return "strip"; }
  std::string configure(std::string_view key, std::string_view value) override;
  // leds, channels, frames, and "colors": each LED's bytes in hex, wire order, comma-separated
  // ("00ff00,ff0000" is a red LED then a green one: G, R, B).
  void describe(core::board::State& out) const override;
  void ws2812_receive(const std::uint8_t* data, std::size_t n) override;

  std::size_t leds() const { return leds_; }
  std::size_t channels() const { return channels_; }
  const std::vector<std::uint8_t>& values() const { return values_; }
  std::size_t frames() const { return frames_; }

 private:
  std::size_t leds_;
  std::size_t channels_;
  std::vector<std::uint8_t> values_;
  std::size_t frames_ = 0;
};

}  // namespace nodemcu_emu::devices
