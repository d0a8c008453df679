// A WS2812/SK6812 LED strip on a data line: each LED keeps the first `channels` bytes that
// reach it (G, R, B[, W]) and passes the rest on; a frame shorter than the strip leaves the
// LEDs beyond it as they were, bytes beyond the last LED are lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nodemcu_emu::modules::ws2812 {

class LedStrip {
 public:
  LedStrip(std::size_t leds, std::size_t channels) : channels_(channels), values_(leds * channels) {}

  void receive(const std::uint8_t* data, std::size_t n);
  std::size_t leds() const { return channels_ == 0 ? 0 : values_.size() / channels_; }
  std::size_t channels() const { return channels_; }
  // The bytes of LED i (0-based), in wire order.
  const std::uint8_t* led(std::size_t i) const { return values_.data() + i * channels_; }
  const std::vector<std::uint8_t>& values() const { return values_; }
  std::size_t frames() const { return frames_; }

 private:
  std::size_t channels_;
  std::vector<std::uint8_t> values_;
  std::size_t frames_ = 0;
};

}  // namespace nodemcu_emu::modules::ws2812
