// The runner's reports: TAP version 13 on stdout, JUnit XML for CI (--report=junit:FILE).
#include <algorithm>
#include <iomanip>
#include <sstream>

#include "cli/test_results.hpp"

namespace nodemcu_emu::cli {

namespace {

// A TAP description: one line, and "#" escaped so that it never starts a directive.
std::string tap_text(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r') out += ' ';
    else if (c == '#') out += "\\#";
    else out += c;
  }
  return out;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::string yaml_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : first_line(s)) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A YAML double-quoted scalar for the whole text: one line whatever the error holds (TAP
// parsers read YAMLish, which has no block scalars).
std::string yaml_escaped(const std::string& s) {
  static const char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') out += std::string("\\") + static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20) out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
    else out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string description(const FileResult& f, const CaseResult& c) {
  return tap_text(c.name.empty() ? f.path : f.path + ": " + c.name);
}

}  // namespace

TapWriter::TapWriter(std::ostream& os) : os_(os) { os_ << "TAP version 13\n" << std::flush; }

void TapWriter::file(const FileResult& f) {
  for (const auto& c : f.cases) {
    ++count_;
    bool ok = c.status != CaseStatus::fail && c.status != CaseStatus::todo_fail;
    os_ << (ok ? "ok " : "not ok ") << count_ << " - " << description(f, c);
    if (c.status == CaseStatus::skip) os_ << " # SKIP " << tap_text(c.reason);
    if (c.status == CaseStatus::todo_pass || c.status == CaseStatus::todo_fail)
      os_ << " # TODO " << tap_text(c.reason);
    os_ << "\n";
    if (c.status != CaseStatus::fail) continue;
    // The YAML diagnostic block TAP 13 puts under a failure (indented two spaces).
    os_ << "  ---\n  message: " << yaml_quoted(c.error) << "\n  severity: fail\n  file: "
        << yaml_quoted(f.path) << "\n  error: " << yaml_escaped(c.error) << "\n  ...\n";
  }
  // What a failed file printed (its stderr is in the failure's diagnostic already) is often
  // what explains the failure: its last lines follow as TAP comments, which parsers ignore.
  bool failed = std::any_of(f.cases.begin(), f.cases.end(),
                            [](const CaseResult& c) { return c.status == CaseStatus::fail; });
  if (failed && !f.out.empty()) {
    constexpr int k_lines = 60;
    std::size_t from = f.out.size();
    for (int n = 0; n <= k_lines && from != std::string::npos && from > 0; ++n)
      from = f.out.rfind('\n', from - 1);
    from = from == std::string::npos ? 0 : from + 1;
    os_ << "# output of " << tap_text(f.path) << (from > 0 ? " (last lines)" : "") << ":\n";
    std::istringstream lines(f.out.substr(from));
    for (std::string line; std::getline(lines, line);) os_ << "#   " << line << "\n";
  }
  os_ << std::flush;
}

void TapWriter::finish(const Totals& t) {
  os_ << "1.." << count_ << "\n";
  os_ << t.passed << " passed, " << t.failed << " failed, " << t.skipped << " skipped";
  if (t.todo > 0) os_ << ", " << t.todo << " todo";
  os_ << "\n" << std::flush;
}

namespace {

// XML text/attribute: the five entities, and control characters XML 1.0 forbids dropped.
std::string xml(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (c >= 0x20 || c == '\n' || c == '\t' || c == '\r') out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace

std::string junit_xml(const std::vector<FileResult>& files) {
  Totals all;
  for (const auto& f : files) all.add(f);
  std::ostringstream x;
  x << std::fixed << std::setprecision(3);
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // TODO cases are reported as skipped: JUnit has no "expected failure".
  x << "<testsuites name=\"nodemcu-emu\" tests=\"" << all.passed + all.failed + all.skipped + all.todo
    << "\" failures=\"" << all.failed << "\" errors=\"0\" skipped=\"" << all.skipped + all.todo << "\">\n";
  for (const auto& f : files) {
    Totals t;
    t.add(f);
    x << "  <testsuite name=\"" << xml(f.path) << "\" tests=\"" << f.cases.size() << "\" failures=\""
      << t.failed << "\" errors=\"0\" skipped=\"" << t.skipped + t.todo << "\" time=\"" << f.seconds << "\">\n";
    for (const auto& c : f.cases) {
      x << "    <testcase classname=\"" << xml(f.path) << "\" name=\""
        << xml(c.name.empty() ? f.path : c.name) << "\"";
      if (c.status == CaseStatus::pass) {
        x << "/>\n";
        continue;
      }
      x << ">\n";
      if (c.status == CaseStatus::fail)
        x << "      <failure message=\"" << xml(first_line(c.error)) << "\" type=\"failure\">"
          << xml(c.error) << "</failure>\n";
      else if (c.status == CaseStatus::skip)
        x << "      <skipped message=\"" << xml(c.reason) << "\"/>\n";
      else
        x << "      <skipped message=\"TODO " << xml(c.reason) << "\"/>\n";
      x << "    </testcase>\n";
    }
    if (!f.out.empty()) x << "    <system-out>" << xml(f.out) << "</system-out>\n";
    if (!f.err.empty()) x << "    <system-err>" << xml(f.err) << "</system-err>\n";
    x << "  </testsuite>\n";
  }
  x << "</testsuites>\n";
  return x.str();
}

}  // namespace nodemcu_emu::cli
