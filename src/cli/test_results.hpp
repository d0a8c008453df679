// What one test file's run produced, read from its emulator's output (the "# emu-case:" and
// "# emu-done:" lines lua/emu.lua prints) and exit status, and the reports made of it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/child_process.hpp"

namespace nodemcu_emu::cli {

enum class CaseStatus { pass, fail, skip, todo_pass, todo_fail };

struct CaseResult {
  std::string name;    // empty: the file as a whole (a script without emu cases)
  CaseStatus status = CaseStatus::pass;
  std::string reason;  // skip / todo reason
  std::string error;   // failure text (message, traceback, stderr)
};

struct FileResult {
  std::string path;
  std::vector<CaseResult> cases;
  std::string out;  // the child's stdout without the emu-case lines
  std::string err;
  double seconds = 0;
};

// Reads the cases from the child's output; a child that ended early (crash, PANIC, timeout,
// a bad option) adds a failed case that carries its stderr.
FileResult interpret(const std::string& path, const ChildOutcome& outcome, double limit_seconds);

struct Totals {
  int passed = 0, failed = 0, skipped = 0, todo = 0;
  void add(const FileResult& file);
};

// TAP version 13: one numbered line per case, a YAML block under each failure; the plan comes
// last (the number of cases is known only at the end).
class TapWriter {
 public:
  explicit TapWriter(std::ostream& os);
  void file(const FileResult& result);
  void finish(const Totals& totals);

 private:
  std::ostream& os_;
  int count_ = 0;
};

// JUnit XML: a testsuite per file, a testcase per case.
std::string junit_xml(const std::vector<FileResult>& files);

}  // namespace nodemcu_emu::cli
