// node.output and node.input of the 3.x firmware, built on pipes (app/modules/node.c,
// app/lua53/lua.c): the output function gets the stdout pipe, typed lines go through the stdin
// pipe. Under --firmware=2 node.cpp keeps handing the output function strings.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::modules::node {

// Lua: node.output([fn[, serial_debug]]) — fn(pipe) is the stdout pipe's reader.
int output_pipe(lua_State* L);
// Lua: node.input(str) — str is written to the stdin pipe, run a line per task.
int input_pipe(lua_State* L);

}  // namespace nodemcu_emu::modules::node
