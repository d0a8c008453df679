// node's flash layout calls of 3.x: node.LFS, node.flashindex, node.flashreload,
// node.getpartitiontable/setpartitiontable (app/modules/node.c, app/lua/lflash.c,
// app/lua/lnodemcu.c), over the device's host-side LFS (core/lfs_image.hpp): no partition
// unless --lfs-size/--lfs or setpartitiontable gave one; images from nodemcu-emu --make-lfs.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::modules::node {

// Adds LFS, flashindex, flashreload and the partition table calls to the node table on top
// of the stack.
void add_lfs_calls(lua_State* L);

// node.info("lfs") and node.LFS.config: {lfs_mapped, lfs_base, lfs_size, lfs_used}.
int push_lfs_config(lua_State* L);

}  // namespace nodemcu_emu::modules::node
