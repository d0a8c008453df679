// The uart module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::uart::errors {

constexpr const char* k_uart_does_not_exist = "uart %d does not exist";
constexpr const char* k_wrong_arg_range = "wrong arg range";
constexpr const char* k_method_not_supported = "method not supported";
constexpr const char* k_invalid_number = "invalid number";
constexpr const char* k_bad_uart_id_must_be_0 = "Bad UART id; must be 0 or 1";
constexpr const char* k_bad_direction_must_be_dir_rx = "Bad direction; must be DIR_RX or DIR_TX";

}  // namespace nodemcu_emu::modules::uart::errors
