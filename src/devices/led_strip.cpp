#include "devices/led_strip.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "devices/models.hpp"

namespace nodemcu_emu::devices {

void LedStrip::ws2812_receive(const std::uint8_t* data, std::size_t n) {
  std::copy_n(data, std::min(n, values_.size()), values_.begin());
  ++frames_;
}

std::string LedStrip::configure(std::string_view key, std::string_view value) {
  if (key != "channels") return "unknown option '" + std::string(key) + "' (channels=3|4)";
  if (value != "3" && value != "4") return "channels is 3 (GRB) or 4 (GRBW)";
  channels_ = value == "3" ? 3 : 4;
  values_.assign(leds_ * channels_, 0);
  return {};
}

void LedStrip::describe(core::board::State& out) const {
  out.emplace_back("leds", static_cast<double>(leds_));
  out.emplace_back("channels", static_cast<double>(channels_));
  out.emplace_back("frames", static_cast<double>(frames_));
  std::string colors;
  char b[3];
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (i > 0 && i % channels_ == 0) colors += ',';
    std::snprintf(b, sizeof b, "%02x", values_[i]);
    colors += b;
  }
  out.emplace_back("colors", colors);
}

std::unique_ptr<core::board::Model> make_strip(const ModelSetup& setup, std::string& error) {
  constexpr long k_max_leds = 8192;  // pixbuf's limit; more than the chip could feed
  long leds = 8;
  if (!setup.spec.param.empty()) {
    char* end = nullptr;
    leds = std::strtol(setup.spec.param.c_str(), &end, 10);
    if (*end != '\0' || leds < 1 || leds > k_max_leds) {
      error = "strip: the parameter is the LED count, 1 to 8192 (strip:30)";
      return nullptr;
    }
  }
  return std::make_unique<LedStrip>(setup.clock, static_cast<std::size_t>(leds));
}

}  // namespace nodemcu_emu::devices
