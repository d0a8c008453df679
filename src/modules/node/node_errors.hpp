// The node module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::node::errors {

constexpr const char* k_wrong_option_value = "wrong option value";
constexpr const char* k_invalid_time_value = "invalid time value";
constexpr const char* k_node_sleep_is_unavailable = "node.sleep() is unavailable";
constexpr const char* k_wrong_number_of_arguments = "wrong number of arguments";
constexpr const char* k_interval_is_empty = "interval is empty";
constexpr const char* k_invalid_strip_level = "Invalid strip level";
constexpr const char* k_invalid_priority = "invalid  priority";
constexpr const char* k_filename_invalid = "filename invalid";
constexpr const char* k_not_a_lua_file = "not a .lua file";
constexpr const char* k_cannot_open_write_to_file = "cannot open/write to file";
constexpr const char* k_writing_to_file_failed = "writing to file failed";
constexpr const char* k_invalid_mode = "invalid mode";
constexpr const char* k_limit_must_be_non_zero = "limit must be non-zero";

}  // namespace nodemcu_emu::modules::node::errors
