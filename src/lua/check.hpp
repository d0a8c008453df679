// Argument checks of the firmware's own lauxlib that stock Lua 5.1 lacks.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

// luaL_checkanyfunction of the 1.x and 2.x firmwares (app/lua/lauxlib.c; 3.0 dropped it for
// luaL_checktype): a function, or "function or lightfunction expected, got T" for `narg`.
inline void check_any_function(lua_State* L, int narg) {
  if (lua_type(L, narg) == LUA_TFUNCTION) return;
  luaL_argerror(L, narg, lua_pushfstring(L, "function or lightfunction expected, got %s", luaL_typename(L, narg)));
}

}  // namespace nodemcu_emu::lua
