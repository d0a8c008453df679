// The node module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::node::errors {

constexpr const char* k_wrong_arg_range = "wrong arg range";  // dsleep's option, before 3.0
constexpr const char* k_node_sleep_is_unavailable = "node.sleep() is unavailable";
constexpr const char* k_wrong_number_of_arguments = "wrong number of arguments";
constexpr const char* k_interval_is_empty = "interval is empty";
constexpr const char* k_invalid_strip_level = "Invalid strip level";        // 3.0
constexpr const char* k_not_a_valid_function = "not a valid function";      // 3.0
constexpr const char* k_must_in_range_1_3 = "must in range 1-3";            // before 3.0
constexpr const char* k_must_be_a_lua_function = "must be a Lua Function";  // before 3.0
constexpr const char* k_invalid_priority = "invalid  priority";
constexpr const char* k_invalid_function = "invalid function";  // node.task.post, before 3.0
constexpr const char* k_task_queue_overflow = "Task queue overflow. Task not posted";
constexpr const char* k_filename_invalid = "filename invalid";
constexpr const char* k_not_a_lua_file = "not a .lua file";
constexpr const char* k_cannot_open_write_to_file = "cannot open/write to file";
constexpr const char* k_writing_to_file_failed = "writing to file failed";
constexpr const char* k_invalid_mode = "invalid mode";
constexpr const char* k_limit_must_be_non_zero = "limit must be non-zero";

}  // namespace nodemcu_emu::modules::node::errors
