// The crypto module's error texts, worded as the firmware words them, in one place.
#pragma once

namespace nodemcu_emu::modules::crypto::errors {

constexpr const char* k_unknown_hash_mech = "unknown hash mech";
constexpr const char* k_unknown_cipher = "unknown cipher: %s";
constexpr const char* k_file_does_not_exist = "file does not exist";
constexpr const char* k_invalid_argument_mask = "invalid argument: mask";
constexpr const char* k_crypto_op_failed = "crypto op failed";

}  // namespace nodemcu_emu::modules::crypto::errors
