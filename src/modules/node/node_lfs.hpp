// node's flash layout calls of 3.x: node.LFS, node.flashreload, node.getpartitiontable. The
// emulator has no LFS partition (no host-side LFS images yet), so they answer as a firmware
// built without one does (app/modules/node.c, app/lua/lflash.c, app/lua/lnodemcu.c).
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::modules::node {

// Adds LFS, flashreload and getpartitiontable to the node table on top of the stack.
void add_lfs_calls(lua_State* L);

}  // namespace nodemcu_emu::modules::node
