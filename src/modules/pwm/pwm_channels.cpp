#include "modules/pwm/pwm_channels.hpp"

namespace nodemcu_emu::modules::pwm {

bool PwmChannels::add(int pin) {
  auto i = static_cast<std::size_t>(pin);
  if (in_use_[i]) return true;
  if (count_ == k_channels) return false;
  in_use_[i] = true;
  output_[i] = 0;
  ++count_;
  return true;
}

void PwmChannels::remove(int pin) {
  auto i = static_cast<std::size_t>(pin);
  if (!in_use_[i]) return;
  in_use_[i] = false;
  output_[i] = 0;
  --count_;
}

void PwmChannels::set_freq(std::uint32_t freq) {
  auto f = static_cast<std::uint16_t>(freq);
  freq_ = f > k_freq_max ? k_freq_max : (f < 1 ? 1 : f);
}

unsigned PwmChannels::set_output(int pin, std::uint32_t duty) {
  auto d = static_cast<std::uint16_t>(duty);
  unsigned v = d >= k_depth ? k_depth : d;
  output_[static_cast<std::size_t>(pin)] = v;
  return v;
}

}  // namespace nodemcu_emu::modules::pwm
