#include "core/repl.hpp"

#include <cstring>

#include "core/console.hpp"
#include "lua/call.hpp"

namespace nodemcu_emu::core {

namespace {
bool is_incomplete(lua_State* L, int status) {
  if (status != LUA_ERRSYNTAX) return false;
  size_t len = 0;
  const char* msg = lua_tolstring(L, -1, &len);
  const char* tail = "'<eof>'";
  size_t tl = std::strlen(tail);
  return len >= tl && std::strcmp(msg + len - tl, tail) == 0;
}

// lua.c's l_print: the results (the arguments here) go to the global print. It runs under the
// pcall: even the lookup may raise (no print, and a strict-mode __index on _G).
int print_results(lua_State* L) {
  int n = lua_gettop(L);
  lua_getglobal(L, "print");
  lua_insert(L, 1);
  lua_call(L, n, 0);
  return 0;
}
}  // namespace

void Repl::report(const std::string& error) {
  if (console_.errors_on_uart())
    console_.write(error + "\n");
  else
    core::Console::diagnostic(error);
}

Repl::Result Repl::feed(lua_State* L, const std::string& line) {
  std::string chunk = pending_.empty() ? line : pending_ + "\n" + line;
  std::string source = (pending_.empty() && !chunk.empty() && chunk[0] == '=')
                           ? "return " + chunk.substr(1)
                           : chunk;
  int base = lua_gettop(L);
  int status = luaL_loadbuffer(L, source.data(), source.size(), "=stdin");
  if (is_incomplete(L, status)) {
    lua_pop(L, 1);
    pending_ = chunk;
    return Result::incomplete;
  }
  pending_.clear();
  std::string error;
  if (status != 0) {
    lua::collect_after_memory_error(L, status);
    error = lua::error_text(L, -1);
    lua_pop(L, 1);
  } else if (lua::pcall_traceback(L, 0, LUA_MULTRET, error)) {
    int n = lua_gettop(L) - base;
    if (n > 0) {  // print the results, as lua.c does
      lua_pushcfunction(L, print_results);
      lua_insert(L, base + 1);
      if (!lua::pcall_traceback(L, n, 0, error)) report(error);
    }
    lua_settop(L, base);
    return Result::complete;
  }
  report(error);
  lua_settop(L, base);
  return Result::complete;
}

}  // namespace nodemcu_emu::core
