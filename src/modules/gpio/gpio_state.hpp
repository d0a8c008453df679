// The device's GPIO pins as state in memory (gpio module), and the hooks that let the world
// outside the chip (a test, another emulated part) drive its input pins.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "core/timer_handle.hpp"
#include "modules/gpio/waveform.hpp"

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

// LevelChange: a change of a pad's level, for tests (emu_gpio.history) and --trace.
constexpr std::size_t k_history_max = 4096;  // changes kept per pin, oldest dropped first

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
  std::deque<LevelChange> history;
  std::optional<Waveform> wave;  // a square wave it puts out now (pwm)
  int level_before_wave = 0;     // the pad's level when the wave began
};

// Drives input pin `pin` (0..12) from outside the chip to `level` (0/1), as a button or another
// chip would; interrupts fire as on the device. The pin's own output driver wins over it.
void drive_input(core::Device& device, int pin, int level);
// Stops driving: the pin floats again (reads its pull-up, or 0).
void release_input(core::Device& device, int pin);
// What gpio.read(pin) would return (a running wave's level at this moment).
int pin_level(core::Device& device, int pin);

// What other modules do to a pin through the firmware's platform layer (ow, dht, pwm, ws2812
// drive the same pads as gpio does):
// platform_gpio_mode: also tells the mode hooks (pwm gives the pin up, as platform.c does).
void platform_mode(core::Device& device, int pin, int mode, bool pullup);
// GPIO_OUTPUT_SET: drives the pin (and turns its output driver on).
void platform_write(core::Device& device, int pin, int level);
// GPIO_DIS_OUTPUT: the output driver off; the pad reads its outside driver or pull-up.
void disable_output(core::Device& device, int pin);
bool has_pullup(core::Device& device, int pin);
// Called with the pin on every platform_mode (gpio.mode included).
void on_mode_change(core::Device& device, std::function<void(int pin)> hook);
// The pin puts out `wave` from now on, or stops putting one out (nullopt): the edges of the
// wave that ran join the history, and the pad is left where its last edge put it.
void set_waveform(core::Device& device, int pin, std::optional<Waveform> wave);
// The pin's level changes up to now, a running wave's edges included, oldest first (at most
// k_history_max).
std::vector<LevelChange> history(core::Device& device, int pin);
// The same into `out` (room for `room`), for a caller that must not hold a vector while Lua
// may raise: returns how many there are (all of them when out is null).
std::size_t history(core::Device& device, int pin, LevelChange* out, std::size_t room);

}  // namespace nodemcu_emu::modules::gpio
