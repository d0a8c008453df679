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
// overrides; options_env: NODEMCU_EMU_OPTIONS, the emulator's long options applied before the
// command line's (for tools that start the emulator with arguments of their own, as
// `busted --lua=nodemcu-emu` does). Passed in so that parsing reads no environment of its own.
ParseResult parse_args(const std::vector<std::string>& argv, const char* firmware_env = nullptr,
                       const char* options_env = nullptr);

// Words as a shell splits them, with '...' and "..." quoting (a test file's "-- args:" line,
// NODEMCU_EMU_OPTIONS).
std::vector<std::string> split_words(const std::string& text);

// The --help text.
std::string usage(const std::string& program);

}  // namespace nodemcu_emu::cli
