// The SDK's PWM driver (driver/pwm.c) as the platform layer uses it: at most 6 channels, one
// frequency for all of them (1..1000 Hz), duties 0..1023. `stored` is pwms_duty[] — what
// pwm.getduty answers — and `output` what the pin puts out now (0 when stopped).
#pragma once

#include <array>
#include <cstdint>

namespace nodemcu_emu::modules::pwm {

constexpr int k_pins = 13;       // NUM_PWM is GPIO_PIN_NUM
constexpr int k_channels = 6;    // PWM_CHANNEL
constexpr unsigned k_depth = 1023;  // PWM_DEPTH
constexpr unsigned k_freq_max = 1000;

class PwmChannels {
 public:
  bool exists(int pin) const { return in_use_[static_cast<std::size_t>(pin)]; }
  // pwm_add: false when all channels are taken by other pins.
  bool add(int pin);
  void remove(int pin);
  // pwm_set_freq: truncated to 16 bits, then clamped to 1..1000.
  void set_freq(std::uint32_t freq);
  unsigned freq() const { return freq_; }
  // pwm_set_duty on a channel: clamped to 0..1023; returns it.
  unsigned set_output(int pin, std::uint32_t duty);
  unsigned output(int pin) const { return output_[static_cast<std::size_t>(pin)]; }
  std::uint16_t stored(int pin) const { return stored_[static_cast<std::size_t>(pin)]; }
  void store(int pin, std::uint16_t duty) { stored_[static_cast<std::size_t>(pin)] = duty; }

 private:
  std::array<bool, k_pins> in_use_{};
  std::array<unsigned, k_pins> output_{};
  std::array<std::uint16_t, k_pins> stored_{};
  int count_ = 0;
  unsigned freq_ = 500;  // pwm_init(500, ...)
};

}  // namespace nodemcu_emu::modules::pwm
