// For bus modules: after talking to models, raise what a model written in Lua raised.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::core::board {

// When a Lua-written model failed during the operation just done (Board::fault), pushes its
// error and returns true: the caller then returns lua_error(L) from a frame that holds no C++
// objects with destructors.
bool push_fault(lua_State* L);

// A module function F whose models may be written in Lua, raising their error after F's own
// work (F's frame is gone by then): for a function table, { "read", raising_faults<read> }.
template <int (*F)(lua_State*)>
int raising_faults(lua_State* L) {
  int results = F(L);
  if (push_fault(L)) return lua_error(L);
  return results;
}

}  // namespace nodemcu_emu::core::board
