#include "modules/ws2812/led_strip.hpp"

#include <algorithm>

namespace nodemcu_emu::modules::ws2812 {

void LedStrip::receive(const std::uint8_t* data, std::size_t n) {
  std::copy_n(data, std::min(n, values_.size()), values_.begin());
  ++frames_;
}

}  // namespace nodemcu_emu::modules::ws2812
