// Per device: the PWM driver's channels, for the pwm module and the emulator's hooks.
#pragma once

#include "modules/pwm/pwm_channels.hpp"

namespace nodemcu_emu::core {
class Device;
}

namespace nodemcu_emu::modules::pwm {

struct PwmState {
  explicit PwmState(core::Device&) {}
  PwmChannels channels;
};

PwmChannels& channels(core::Device& device);

}  // namespace nodemcu_emu::modules::pwm
