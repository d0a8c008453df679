// Protected calls with a traceback, the way every callback into a script is made.
#pragma once

#include <string>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

// Calls the function below `nargs` arguments. On error pops it and stores
// "message\nstack traceback:\n..." in `error` and returns false.
bool pcall_traceback(lua_State* L, int nargs, int nresults, std::string& error);

// Message handler for lua_pcall: the error (tostring'ed as lua.c does) with a traceback.
int traceback_handler(lua_State* L);
// After a protected call or a load that failed with LUA_ERRMEM: a full collection. The firmware's
// emergency GC collects inside the failing allocation and retries; stock Lua 5.1 cannot collect
// there safely (an object being built, e.g. a table inside luaH_new, is not anchored yet and
// would be swept), so the emulator collects where the error is caught, when whatever the failed
// code held is garbage. Call it after every lua_pcall / lua_load whose status you have.
void collect_after_memory_error(lua_State* L, int status);

// Replaces the globals pcall and xpcall by versions that collect after a memory error (as
// above) and keep a pending SIGINT/SIGTERM interruption armed (core/interrupt.hpp).
void install_protected_calls(lua_State* L);

// The message of an error value (tostring of non-strings, as lua.c does).
std::string error_text(lua_State* L, int index);

}  // namespace nodemcu_emu::lua
