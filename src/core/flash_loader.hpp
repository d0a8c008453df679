// Lua chunks loaded from the device's flash: dofile, loadfile, require and init.lua resolve
// their names through the same confined FlashDir as the file module, so no loader reaches a host
// file the file module would refuse.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::core {

// luaL_loadfile over the flash: pushes the compiled chunk (status 0) or the error message. A
// missing file gives the firmware's "cannot open NAME" (LUA_ERRFILE). The chunk is named
// "@NAME", as the device names it. May raise only before or after its C++ objects live.
int load_flash_chunk(lua_State* L, const char* name);

// Registers dofile and loadfile over the flash, and makes require search the flash with
// package.path "?.lc;?.lua" (compiled first, as the firmware does). With `host_searchers`
// (--host-libs) the host's Lua and C searchers stay after the flash one, on the host's path.
void install_flash_loaders(lua_State* L, bool host_searchers);

}  // namespace nodemcu_emu::core
