// What the firmware prints on UART0 at every boot, before init.lua (lua.c print_version).
#pragma once

#include <string>

namespace nodemcu_emu::modules::node {

// The banner of firmware profile `profile` (--firmware), starting and ending with "\n" as on the
// chip. The SDK's own start-up lines and the ROM's 74880-baud boot messages are not included.
std::string boot_banner(int profile);

}  // namespace nodemcu_emu::modules::node
