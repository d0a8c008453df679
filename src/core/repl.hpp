// The device's interactive interpreter (UART prompt, node.input, -i): lines in, chunks run.
#pragma once

#include <string>

#include "core/console.hpp"
#include "lua/lua.hpp"

namespace nodemcu_emu::core {

class Repl {
 public:
  // Errors go where the device's interpreter prints them: the console when node.output has
  // diverted it (a telnet user sees them) or on the --serial pty, else stderr, as lua.c does.
  explicit Repl(core::Console& console) : console_(console) {}
  // Forgets a half-typed chunk (reboot).
  void reset() { pending_.clear(); }

  enum class Result { complete, incomplete };

  // Feeds one line (without its newline). Runs it once it forms a whole chunk, as lua.c does:
  // an incomplete statement waits for more lines, "=expr" prints expr, errors are reported.
  Result feed(lua_State* L, const std::string& line);
  // The prompt to show next ("> " or ">> ").
  const char* prompt() const { return pending_.empty() ? "> " : ">> "; }

 private:
  void report(const std::string& error);

  core::Console& console_;
  std::string pending_;
};

}  // namespace nodemcu_emu::core
