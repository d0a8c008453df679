// Every NodeMCU module the emulator provides, opened as globals into a device's Lua state.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::modules {

void open_all(lua_State* L);

}  // namespace nodemcu_emu::modules
