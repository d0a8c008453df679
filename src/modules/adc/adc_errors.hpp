// The adc module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::adc::errors {

constexpr const char* k_adc_does_not_exist = "adc %d does not exist";

}  // namespace nodemcu_emu::modules::adc::errors
