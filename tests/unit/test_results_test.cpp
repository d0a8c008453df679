// cli::interpret and the reports: how a test file's emulator output and exit become cases, and
// how they are written as TAP 13 and JUnit XML (the runner's parts that need no process).
#include <catch2/catch.hpp>
#include <sstream>
#include <string>

#include "cli/test_results.hpp"

using nodemcu_emu::cli::CaseStatus;
using nodemcu_emu::cli::ChildOutcome;
using nodemcu_emu::cli::interpret;
using nodemcu_emu::cli::junit_xml;
using nodemcu_emu::cli::TapWriter;
using nodemcu_emu::cli::Totals;

namespace {

ChildOutcome exited(int status, std::string out, std::string err = "") {
  ChildOutcome o;
  o.exit_status = status;
  o.out = std::move(out);
  o.err = std::move(err);
  return o;
}

const char* k_done = "# emu-done: 1 passed, 1 failed, 0 skipped, 0 todo\n";

}  // namespace

TEST_CASE("emu-case lines become cases; escapes are decoded; other output is kept apart") {
  auto r = interpret("a_spec.lua",
                     exited(1, std::string("hello\n# emu-case: start\tone\t\t\n# emu-case: pass\tone\t\t\nok - one\n"
                                           "# emu-case: start\ttwo%09tab\t\t\n"
                                           "# emu-case: fail\ttwo%09tab\t\tline 1%0Aline 2 100%25\n") +
                                   k_done),
                     60);
  REQUIRE(r.cases.size() == 2);
  CHECK(r.cases[0].name == "one");
  CHECK(r.cases[0].status == CaseStatus::pass);
  CHECK(r.cases[1].name == "two\ttab");
  CHECK(r.cases[1].status == CaseStatus::fail);
  CHECK(r.cases[1].error == "line 1\nline 2 100%");
  CHECK(r.out == "hello\nok - one\n");
}

TEST_CASE("skip and todo keep their reasons; a todo with an error is an expected failure") {
  auto r = interpret("s_spec.lua",
                     exited(0, "# emu-case: skip\tx\tno net\t\n# emu-case: todo\ty\tbug 1\tboom\n"
                               "# emu-case: todo\tz\tbug 2\t\n# emu-done: 0 passed, 0 failed, 1 skipped, 2 todo\n"),
                     60);
  // emu exits 77 when nothing passed or failed and something was skipped: status 0 here adds a
  // failure for the mismatch, after the three cases.
  REQUIRE(r.cases.size() == 4);
  CHECK(r.cases[3].error == "the file's cases finished, then: exit status 0");
  CHECK(r.cases[0].status == CaseStatus::skip);
  CHECK(r.cases[0].reason == "no net");
  CHECK(r.cases[1].status == CaseStatus::todo_fail);
  CHECK(r.cases[2].status == CaseStatus::todo_pass);
}

TEST_CASE("an emulator that ends during a case fails that case with its status and stderr") {
  auto r = interpret("c_spec.lua", exited(1, "# emu-case: start\tsocket case\t\t\n", "PANIC: boom\n"), 60);
  REQUIRE(r.cases.size() == 1);
  CHECK(r.cases[0].name == "socket case");
  CHECK(r.cases[0].status == CaseStatus::fail);
  CHECK(r.cases[0].error == "the emulator ended during this case: exit status 1\nstderr:\nPANIC: boom\n");
}

TEST_CASE("a timeout and a signal are said as such") {
  ChildOutcome o = exited(-1, "# emu-case: start\tslow\t\t\n");
  o.timed_out = true;
  o.signal = 9;
  auto r = interpret("t_spec.lua", o, 5);
  REQUIRE(r.cases.size() == 1);
  CHECK(r.cases[0].error.rfind("the emulator ended during this case: timed out after 5 s (killed)", 0) == 0);
  ChildOutcome s = exited(-1, "");
  s.signal = 11;
  auto k = interpret("k_spec.lua", s, 60);
  REQUIRE(k.cases.size() == 1);
  CHECK(k.cases[0].name.empty());
  CHECK(k.cases[0].error.rfind("killed by signal 11", 0) == 0);
}

TEST_CASE("a script without emu cases passes on status 0, fails otherwise") {
  auto ok = interpret("test_plain.lua", exited(0, "some output\n"), 60);
  REQUIRE(ok.cases.size() == 1);
  CHECK(ok.cases[0].status == CaseStatus::pass);
  auto bad = interpret("test_plain.lua", exited(2, "", "nodemcu-emu: unrecognized option\n"), 60);
  REQUIRE(bad.cases.size() == 1);
  CHECK(bad.cases[0].status == CaseStatus::fail);
  CHECK(bad.cases[0].error == "exit status 2\nstderr:\nnodemcu-emu: unrecognized option\n");
}

TEST_CASE("an exit status that does not match the cases adds a failure") {
  auto r = interpret("x_spec.lua", exited(3, "# emu-case: pass\tone\t\t\n# emu-done: 1 passed, 0 failed, 0 skipped, 0 todo\n"), 60);
  REQUIRE(r.cases.size() == 2);
  CHECK(r.cases[1].status == CaseStatus::fail);
  CHECK(r.cases[1].error == "the file's cases finished, then: exit status 3");
}

TEST_CASE("TAP: numbered lines, # escaped, directives, a YAML block, the plan and totals last") {
  auto r = interpret("f_spec.lua",
                     exited(1, std::string("# emu-case: fail\ta # b\t\tit's wrong%0A%09trace\n"
                                           "# emu-case: skip\ts\twhy\t\n") + k_done),
                     60);
  std::ostringstream os;
  TapWriter tap(os);
  tap.file(r);
  Totals t;
  t.add(r);
  tap.finish(t);
  CHECK(os.str() ==
        "TAP version 13\n"
        "not ok 1 - f_spec.lua: a \\# b\n"
        "  ---\n  message: 'it''s wrong'\n  severity: fail\n  file: 'f_spec.lua'\n"
        "  error: \"it's wrong\\n\\ttrace\"\n  ...\n"
        "ok 2 - f_spec.lua: s # SKIP why\n"
        "1..2\n0 passed, 1 failed, 1 skipped\n");
}

TEST_CASE("JUnit: entities escaped, forbidden control characters dropped") {
  auto r = interpret("j_spec.lua", exited(1, std::string("# emu-case: fail\t<a & \"b\">\t\tx\x01y\n") + k_done), 60);
  std::string xml = junit_xml({r});
  CHECK(xml.find("name=\"&lt;a &amp; &quot;b&quot;&gt;\"") != std::string::npos);
  CHECK(xml.find("<failure message=\"xy\" type=\"failure\">xy</failure>") != std::string::npos);
  CHECK(xml.find("<testsuite name=\"j_spec.lua\" tests=\"1\" failures=\"1\"") != std::string::npos);
}
