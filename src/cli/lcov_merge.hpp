// `--test --coverage`: each test file's emulator writes LCOV of its own; the runner adds them up
// into one report (the line counts of a file seen by several test files are summed).
#pragma once

#include <string>
#include <vector>

namespace nodemcu_emu::cli {

// Reads the LCOV files `inputs` (a missing one counts as empty: a file whose emulator crashed)
// and writes their sum to `output`. False when `output` cannot be written.
bool merge_lcov(const std::vector<std::string>& inputs, const std::string& output);

}  // namespace nodemcu_emu::cli
