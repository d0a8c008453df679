// For bus modules: after talking to models, raise what a model written in Lua raised.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::core::board {

// When a Lua-written model failed during the operation just done (Board::fault), pushes its
// error and returns true: the caller then returns lua_error(L) from a frame that holds no C++
// objects with destructors.
bool push_fault(lua_State* L);

}  // namespace nodemcu_emu::core::board
