// The device's interactive interpreter (UART prompt, node.input, -i): lines in, chunks run.
#pragma once

#include <string>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

class Repl {
 public:
  enum class Result { complete, incomplete };

  // Feeds one line (without its newline). Runs it once it forms a whole chunk, as lua.c does:
  // an incomplete statement waits for more lines, "=expr" prints expr, errors are reported.
  Result feed(lua_State* L, const std::string& line);
  // The prompt to show next ("> " or ">> ").
  const char* prompt() const { return pending_.empty() ? "> " : ">> "; }

 private:
  std::string pending_;
};

}  // namespace nodemcu_emu::lua
