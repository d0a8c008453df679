// The gpio module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::gpio::errors {

constexpr const char* k_gpio_does_not_exist = "gpio %d does not exist";
constexpr const char* k_invalid_callback_type = "invalid callback type";
constexpr const char* k_invalid_pin = "Invalid pin";
constexpr const char* k_invalid_interrupt_pin = "Invalid interrupt pin";
constexpr const char* k_wrong_arg_type = "wrong arg type";
constexpr const char* k_wrong_level_type = "wrong level type";         // gpio.write
constexpr const char* k_serout_wrong_level_type = "Wrong level type";  // gpio.serout
constexpr const char* k_invalid_delay_times = "Invalid delay_times";
// 1.5.4.1 and 2.2.1 call serout's callback with lua_pcall and raise its error again, outside
// any protected call: a PANIC with this text.
constexpr const char* k_serout_callback_error = "error: %s";

}  // namespace nodemcu_emu::modules::gpio::errors
