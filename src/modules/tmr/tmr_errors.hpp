// The tmr module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::tmr::errors {

// The SDK's os_timer limit. 3.0 stringifies the hex literal; 1.5.4.1 and 2.2.1 defined it in
// decimal (tmr.c MAX_TIMEOUT_DEF 6870947 at both tags).
constexpr const char* k_range = "Range: 1-0x68D7A3";
constexpr const char* k_range_decimal = "Range: 1-6870947";
constexpr const char* k_invalid_mode = "Invalid mode";
constexpr const char* k_must_be_function = "Must be function";
constexpr const char* k_boolean_expected = "boolean expected";
constexpr const char* k_wrong_arg_range = "wrong arg range";
// tmr_get@1.5.4.1: the deprecated numbered timers 0-6 beside timer objects.
constexpr const char* k_timer_or_id = "timer object or numerical ID expected";
constexpr const char* k_invalid_index = "invalid timer index";

}  // namespace nodemcu_emu::modules::tmr::errors
