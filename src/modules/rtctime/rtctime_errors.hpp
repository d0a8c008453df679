// The rtctime module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::rtctime::errors {

constexpr const char* k_unknown_sleep_option = "unknown sleep option";
constexpr const char* k_time_not_available_unable_to_align = "time not available, unable to align";

}  // namespace nodemcu_emu::modules::rtctime::errors
