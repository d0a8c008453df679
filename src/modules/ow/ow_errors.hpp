// The ow module's error texts, worded as the firmware words them (ow.c, platform.h).
#pragma once

namespace nodemcu_emu::modules::ow::errors {

constexpr const char* k_no_ow_for_d0 = "no 1-wire for D0";
constexpr const char* k_does_not_exist = "ow %d does not exist";  // MOD_CHECK_ID
constexpr const char* k_wrong_arg_range = "wrong arg range";
constexpr const char* k_too_many_chars = "Attempt to read too many characters";

}  // namespace nodemcu_emu::modules::ow::errors
