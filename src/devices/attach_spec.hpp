// The text form of an attachment, one parser for --attach and emu.attach:
//   BUS[.INDEX][:ADDRESS]=KIND[:PARAM][,KEY=VALUE...]
// e.g. "i2c:0x76=bme280", "i2c.1:0x50=at24c32,page=32", "ow:3=ds18b20", "dht:5=dht22",
// "ws2812=strip:30", "i2c:0x76=bme280,temperature=21.5".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/board/board.hpp"

namespace nodemcu_emu::devices {

struct AttachSpec {
  core::board::Location at;
  std::string kind;
  std::string param;  // after "KIND:" (a strip's length); empty when none
  std::vector<std::pair<std::string, std::string>> options;
};

// Parses the text form; nullopt with `error` set when it is malformed. Whether the kind exists
// and accepts the options is the catalog's business (devices::attach).
std::optional<AttachSpec> parse_attach_spec(std::string_view text, std::string& error);

// A number as a spec writes it: decimal, 0x hex, or a 0-prefixed octal never (0x76 vs 076 is a
// classic trap: leading zeros are decimal). Whole text must be used.
std::optional<long long> parse_spec_integer(std::string_view text);

}  // namespace nodemcu_emu::devices
