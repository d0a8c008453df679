// The device's GPIO pins as state in memory (gpio module), and the hooks that let the world
// outside the chip (a test, another emulated part) drive its input pins.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/timer_handle.hpp"

namespace nodemcu_emu::core {
class Device;
}

namespace nodemcu_emu::modules::gpio {

// NodeMCU I/O indices 0..12 (GPIO_PIN_NUM); 0 is GPIO16, which has no interrupt.
constexpr int k_pin_count = 13;

// platform.h values, as the Lua constants expose them.
enum PinMode : int { k_input = 0, k_output = 1, k_int = 2, k_opendrain = 3 };
// GPIO_INT_TYPE: what arms a pin's interrupt.
enum IntType : int { k_none = 0, k_up = 1, k_down = 2, k_both = 3, k_low = 4, k_high = 5 };

struct Pin {
  int mode = k_input;
  bool pullup = false;
  bool output_enabled = false;
  bool open_drain = false;
  int latch = 0;                // the output register
  std::optional<int> external;  // what the outside world drives, if anything
  int level = 0;                // the pad as last seen (edges are changes of this)
  int int_type = k_none;        // pin_int_type[]: what trig() asked for
  int armed = k_none;           // what the hardware is armed with now
  std::uint16_t seen = 0;       // interrupts counted by the "ISR"
  std::uint16_t reported = 0;   // ... and handed to Lua
  core::TimerHandle rearm_timer;  // a level interrupt arms again after its callback
};

// Drives input pin `pin` (0..12) from outside the chip to `level` (0/1), as a button or another
// chip would; interrupts fire as on the device. The pin's own output driver wins over it.
void drive_input(core::Device& device, int pin, int level);
// Stops driving: the pin floats again (reads its pull-up, or 0).
void release_input(core::Device& device, int pin);
// What gpio.read(pin) would return.
int pin_level(core::Device& device, int pin);

}  // namespace nodemcu_emu::modules::gpio
