// The i2c module's error texts, worded as the firmware words them (app/modules/i2c.c and
// MOD_CHECK_ID in platform.h), in one place.
#pragma once

namespace nodemcu_emu::modules::i2c::errors {

constexpr const char* k_i2c_does_not_exist = "i2c %d does not exist";
constexpr const char* k_gpio_does_not_exist = "gpio %d does not exist";
constexpr const char* k_no_i2c_for_d0 = "no i2c for D0";                         // 1.5.4.1, 2.2.1
constexpr const char* k_sda_on_d0 = "i2c SDA on D0 is not supported";           // 3.0
constexpr const char* k_wrong_arg_range = "wrong arg range";
constexpr const char* k_wrong_arg_type = "wrong arg type";

}  // namespace nodemcu_emu::modules::i2c::errors
