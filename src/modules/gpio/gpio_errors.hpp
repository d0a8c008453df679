// The gpio module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::gpio::errors {

constexpr const char* k_gpio_does_not_exist = "gpio %d does not exist";
constexpr const char* k_invalid_callback_type = "invalid callback type";

}  // namespace nodemcu_emu::modules::gpio::errors
