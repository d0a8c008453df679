// The encoder module's conversions (app/modules/encoder.c), free of Lua so they can be tested.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nodemcu_emu::encoder {

std::string to_base64(std::string_view bytes);
// nullopt where the firmware raises "Invalid base64 string": a length that is not a multiple
// of 4, or a character outside the alphabet before the "=" padding.
std::optional<std::string> from_base64(std::string_view text);
// Lower-case hex, two characters a byte.
std::string to_hex(std::string_view bytes);
// nullopt where the firmware raises "Invalid hex string": odd length or a non-hex character.
std::optional<std::string> from_hex(std::string_view text);

}  // namespace nodemcu_emu::encoder
