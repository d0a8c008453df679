// The sntp module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::sntp::errors {

constexpr const char* k_sync_in_progress = "sync in progress";
constexpr const char* k_need_128_hostname = "need <128 hostname";
constexpr const char* k_bad_hostname = "bad hostname";
constexpr const char* k_no_port_available = "no port available";

}  // namespace nodemcu_emu::sntp::errors
