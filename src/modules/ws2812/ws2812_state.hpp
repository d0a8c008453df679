// Per device: the LED strips on the ws2812 outputs (attach: --attach/emu.attach or a C++ test).
// Output 0 is UART1 on GPIO2 (pin 4), output 1 is UART0's TXD0 (ws2812.init(ws2812.MODE_DUAL)).
#pragma once

#include <array>
#include <memory>

#include "modules/ws2812/led_strip.hpp"

namespace nodemcu_emu::core {
class Device;
}

namespace nodemcu_emu::modules::ws2812 {

struct Ws2812State {
  explicit Ws2812State(core::Device&) {}
  bool initialized = false;  // ws2812.init routed UART1 to GPIO2
  bool dual = false;         // ... and UART0 to the strip on TXD0
  std::array<std::shared_ptr<LedStrip>, 2> strips;
};

Ws2812State& ws2812_state(core::Device& device);
void attach(core::Device& device, int output, std::shared_ptr<LedStrip> strip);

}  // namespace nodemcu_emu::modules::ws2812
