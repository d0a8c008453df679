#include "lua/call.hpp"

namespace nodemcu_emu::lua {

// Adds debug.traceback to the error, skipping this handler's own level.
int traceback_handler(lua_State* L) {
  if (!lua_isstring(L, 1)) {
    if (lua_isnoneornil(L, 1) || !luaL_callmeta(L, 1, "__tostring") || !lua_isstring(L, -1)) {
      lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    lua_replace(L, 1);
  }
  lua_getfield(L, LUA_GLOBALSINDEX, "debug");
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    return 1;
  }
  lua_getfield(L, -1, "traceback");
  if (!lua_isfunction(L, -1)) {
    lua_pop(L, 2);
    return 1;
  }
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 2);
  lua_call(L, 2, 1);
  return 1;
}

std::string error_text(lua_State* L, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  if (s) return std::string(s, len);
  return std::string("(error object is a ") + luaL_typename(L, index) + " value)";
}

bool pcall_traceback(lua_State* L, int nargs, int nresults, std::string& error) {
  int base = lua_gettop(L) - nargs;
  lua_pushcfunction(L, traceback_handler);
  lua_insert(L, base);
  int status = lua_pcall(L, nargs, nresults, base);
  lua_remove(L, base);
  if (status == 0) return true;
  error = error_text(L, -1);
  lua_pop(L, 1);
  return false;
}

}  // namespace nodemcu_emu::lua
