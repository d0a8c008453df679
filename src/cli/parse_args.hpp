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

// firmware_env: the value of NODEMCU_EMU_FIRMWARE (null when unset), a default --firmware
// overrides; passed in so that parsing reads no environment of its own.
ParseResult parse_args(const std::vector<std::string>& argv, const char* firmware_env = nullptr);

// The --help text.
std::string usage(const std::string& program);

}  // namespace nodemcu_emu::cli
