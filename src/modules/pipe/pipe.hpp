// pipe's entry points for the node module, which builds the 3.x console on pipes as node.c
// does (it calls pipe_create directly, so a script's `pipe = nil` does not break print).
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::modules::pipe {

// Lua: pobj = pipe.create([reader[, priority]]).
int create(lua_State* L);

}  // namespace nodemcu_emu::modules::pipe
