// `nodemcu-emu --test [options] [FILES|DIRS]`: runs test files, each in a fresh emulator
// process (a fresh device) under virtual time, and reports TAP 13 and, on request, JUnit XML.
#pragma once

#include <string>
#include <vector>

namespace nodemcu_emu::cli {

// argv as main() got it, argv[1] being "--test". Returns the process's exit status: 0 when no
// case failed, 1 when one did, 2 for a usage error.
int run_tests(const std::vector<std::string>& argv);

// The --test part of --help.
std::string test_usage();

}  // namespace nodemcu_emu::cli
