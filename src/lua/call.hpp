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

// The message of an error value (tostring of non-strings, as lua.c does).
std::string error_text(lua_State* L, int index);

}  // namespace nodemcu_emu::lua
