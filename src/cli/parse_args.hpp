// The command line: lua.c's options plus the emulator's own long options.
#pragma once

#include <string>
#include <vector>

#include "nodemcu_emu/options.hpp"

namespace nodemcu_emu::cli {

struct ParseResult {
  enum Action { run, help, version, error } action = run;
  Options options;
  std::string message;  // for `error`: what was wrong
};

ParseResult parse_args(const std::vector<std::string>& argv);

// The --help text.
std::string usage(const std::string& program);

}  // namespace nodemcu_emu::cli
