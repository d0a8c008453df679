#include "lua/call.hpp"

#include "core/interrupt.hpp"

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

namespace {

// What follows a failed call made for a script: collect the garbage of an out-of-memory error,
// and keep an interruption going past the script's own pcall.
void after_script_call(lua_State* L, int status) {
  collect_after_memory_error(L, status);
  core::interrupt::rearm(L);
}

// The status below the call's results, as (x)pcall returns them. The results may fill the
// stack to its last slot (a function returning unpack() of a long table): lbaselib.c's own
// pcall then pushes one past what the API allows. Room first, as Lua 5.2's finishpcall does.
int push_status(lua_State* L, int status, bool replace_first) {
  if (!lua_checkstack(L, 1)) {
    lua_settop(L, 0);
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "stack overflow");
    return 2;
  }
  lua_pushboolean(L, status == 0);
  if (replace_first)
    lua_replace(L, 1);
  else
    lua_insert(L, 1);
  return lua_gettop(L);
}

// lbaselib.c's luaB_pcall, plus after_script_call.
int collecting_pcall(lua_State* L) {
  luaL_checkany(L, 1);
  int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (status != 0) after_script_call(L, status);
  return push_status(L, status, false);
}

// lbaselib.c's luaB_xpcall, plus after_script_call.
int collecting_xpcall(lua_State* L) {
  luaL_checkany(L, 2);
  lua_settop(L, 2);
  lua_insert(L, 1);  // the message handler goes below the function
  int status = lua_pcall(L, 0, LUA_MULTRET, 1);
  if (status != 0) after_script_call(L, status);
  return push_status(L, status, true);
}
}  // namespace

void collect_after_memory_error(lua_State* L, int status) {
  if (status == LUA_ERRMEM) lua_gc(L, LUA_GCCOLLECT, 0);
}

void install_protected_calls(lua_State* L) {
  lua_register(L, "pcall", collecting_pcall);
  lua_register(L, "xpcall", collecting_xpcall);
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
  collect_after_memory_error(L, status);
  error = error_text(L, -1);
  lua_pop(L, 1);
  return false;
}

}  // namespace nodemcu_emu::lua
