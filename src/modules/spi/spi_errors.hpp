// The spi module's error texts, worded as the firmware words them (app/modules/spi.c and
// MOD_CHECK_ID in platform.h), in one place.
#pragma once

namespace nodemcu_emu::modules::spi::errors {

constexpr const char* k_spi_does_not_exist = "spi %d does not exist";
constexpr const char* k_wrong_arg_type = "wrong arg type";
constexpr const char* k_out_of_range = "out of range";
constexpr const char* k_data_range_exceeded = "data range exceeded > 512 bits";
// 1.5.4.1's wording of set_mosi/get_miso/transaction checks (2.2.1 uses luaL_argcheck).
constexpr const char* k_offset_out_of_range = "offset out of range";
constexpr const char* k_bitlen_out_of_range = "bitlen out of range";
constexpr const char* k_too_few_args = "too few args";
constexpr const char* k_cmd_bitlen = "cmd_bitlen out of range";
constexpr const char* k_addr_bitlen = "addr_bitlen out of range";
constexpr const char* k_mosi_bitlen = "mosi_bitlen out of range";
constexpr const char* k_dummy_bitlen = "dummy_bitlen out of range";
constexpr const char* k_miso_bitlen = "miso_bitlen out of range";

}  // namespace nodemcu_emu::modules::spi::errors
