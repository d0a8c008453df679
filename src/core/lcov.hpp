// LCOV tracefiles, as genhtml reads them: what --coverage writes for one run and what the test
// runner writes after summing its files' runs (one writer for both).
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>

namespace nodemcu_emu::core {

// Source file (as the host names it) -> line -> times run.
using LcovFiles = std::map<std::string, std::map<long, std::uint64_t>>;

// "TN:", then per file "SF:", "DA:line,count" per line, "LF"/"LH" (lines, lines hit) and
// "end_of_record". False when the stream failed.
bool write_lcov(std::ostream& out, const LcovFiles& files);

}  // namespace nodemcu_emu::core
