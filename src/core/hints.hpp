// Hints after an error: "attempt to call field 'alarm' (a nil value)" says what failed, not that
// tmr.alarm(id, ...) exists under --firmware=1, nor that ws2812 is a firmware module the emulator
// lacks. One table of such names answers both, consulted where errors are reported.
#pragma once

#include <string>
#include <string_view>

namespace nodemcu_emu::core {

// The hint text for a Lua error message under firmware profile `firmware` (1, 2 or 3), or ""
// when the message is no call or index of a nil name the table knows.
std::string hint_for(int firmware, std::string_view error);

}  // namespace nodemcu_emu::core
