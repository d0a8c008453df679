// Reading a test file's run: the emu-case lines (lua/emu.lua's report()) and the exit status.
#include <cstring>
#include <sstream>

#include "cli/test_results.hpp"

namespace nodemcu_emu::cli {

namespace {

constexpr const char* k_case_prefix = "# emu-case: ";
constexpr const char* k_done_prefix = "# emu-done: ";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// %XX back to the byte (emu.lua escapes %, tab, CR and LF); anything else stays as it is.
std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    int hi = 0, lo = 0;
    if (s[i] == '%' && i + 2 < s.size() && (hi = hex_digit(s[i + 1])) >= 0 &&
        (lo = hex_digit(s[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> split_tabs(const std::string& s) {
  std::vector<std::string> fields;
  std::size_t pos = 0;
  while (true) {
    std::size_t tab = s.find('\t', pos);
    fields.push_back(unescape(s.substr(pos, tab == std::string::npos ? std::string::npos : tab - pos)));
    if (tab == std::string::npos) return fields;
    pos = tab + 1;
  }
}

bool status_of(const std::string& word, bool has_error, CaseStatus& status) {
  if (word == "pass") status = CaseStatus::pass;
  else if (word == "fail") status = CaseStatus::fail;
  else if (word == "skip") status = CaseStatus::skip;
  else if (word == "todo") status = has_error ? CaseStatus::todo_fail : CaseStatus::todo_pass;
  else return false;
  return true;
}

// The end of stderr is what explains a crash; the start of a long one rarely does.
std::string tail(const std::string& text, std::size_t limit = 4000) {
  if (text.size() <= limit) return text;
  return "[...]\n" + text.substr(text.size() - limit);
}

std::string how_it_ended(const ChildOutcome& o, double limit_seconds) {
  std::ostringstream s;
  if (o.spawn_failed) s << "the emulator could not be started";
  else if (o.timed_out) s << "timed out after " << limit_seconds << " s (killed)";
  else if (o.signal != 0) s << "killed by signal " << o.signal << " (" << strsignal(o.signal) << ")";
  else s << "exit status " << o.exit_status;
  return s.str();
}

}  // namespace

FileResult interpret(const std::string& path, const ChildOutcome& o, double limit_seconds) {
  FileResult r;
  r.path = path;
  r.err = o.err;
  r.seconds = static_cast<double>(o.elapsed.count()) / 1000.0;
  bool done = false, emu_seen = false;
  std::string running;  // the case started and not yet reported
  std::istringstream lines(o.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(k_done_prefix, 0) == 0) {
      done = true;
      continue;
    }
    if (line.rfind(k_case_prefix, 0) != 0) {
      r.out += line + "\n";
      continue;
    }
    emu_seen = true;
    auto f = split_tabs(line.substr(std::strlen(k_case_prefix)));
    f.resize(4);
    if (f[0] == "start") {
      running = f[1];
      continue;
    }
    CaseResult c{f[1], CaseStatus::pass, f[2], f[3]};
    if (!status_of(f[0], !f[3].empty(), c.status)) continue;
    running.clear();
    r.cases.push_back(std::move(c));
  }
  int fails = 0, passes = 0, skips = 0;
  for (const auto& c : r.cases) {
    fails += c.status == CaseStatus::fail;
    passes += c.status == CaseStatus::pass;
    skips += c.status == CaseStatus::skip;
  }
  // emu.lua's own exit: 1 with failures, 77 when every case was skipped, else 0.
  int expected = fails > 0 ? 1 : (passes == 0 && skips > 0 ? 77 : 0);
  bool clean = done && !o.timed_out && o.signal == 0 && !o.spawn_failed && o.exit_status == expected;
  if (!emu_seen && !done && !o.timed_out && o.signal == 0 && !o.spawn_failed &&
      (o.exit_status == 0 || o.exit_status == 77)) {
    // A plain script without emu cases: it passes by running to the end.
    r.cases.push_back({"", o.exit_status == 77 ? CaseStatus::skip : CaseStatus::pass,
                       o.exit_status == 77 ? "exit status 77" : "", ""});
  } else if (!clean) {
    std::string what = running.empty() ? (emu_seen ? "the file ended early: " : "") + how_it_ended(o, limit_seconds)
                                        : "the emulator ended during this case: " + how_it_ended(o, limit_seconds);
    if (done) what = "the file's cases finished, then: " + how_it_ended(o, limit_seconds);
    r.cases.push_back({running, CaseStatus::fail, "", what + (o.err.empty() ? "" : "\nstderr:\n" + tail(o.err))});
  }
  return r;
}

void Totals::add(const FileResult& file) {
  for (const auto& c : file.cases) {
    switch (c.status) {
      case CaseStatus::pass: ++passed; break;
      case CaseStatus::fail: ++failed; break;
      case CaseStatus::skip: ++skipped; break;
      case CaseStatus::todo_pass:
      case CaseStatus::todo_fail: ++todo; break;
    }
  }
}

}  // namespace nodemcu_emu::cli
