// The file module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::file::errors {

constexpr const char* k_open_a_file_first = "open a file first";
constexpr const char* k_wrong_arg_range = "wrong arg range";
constexpr const char* k_file_system_error = "file system error";
constexpr const char* k_failed_to_format_file_system = "Failed to format file system";
constexpr const char* k_callback_should_be_function_or_nil = "Callback should be function or nil";

}  // namespace nodemcu_emu::modules::file::errors
