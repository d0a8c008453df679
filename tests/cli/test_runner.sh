#!/usr/bin/env bash
# nodemcu-emu --test checked from outside, on the fixtures in tests/runner_fixtures: the TAP 13
# stream (read by perl's prove), the JUnit XML (python3's xml.etree), --shard covering every
# file once, -j 2 giving the same report, exit statuses, and emu.run finding its own binary.
# Usage: test_runner.sh path/to/nodemcu-emu. Prints "ok - ..." per check, then "N passed, N failed".
set -u

EMU=${1:?usage: test_runner.sh path/to/nodemcu-emu}
EMU=$(cd "$(dirname "$EMU")" && pwd)/$(basename "$EMU")
FIXTURES=$(cd "$(dirname "$0")/../runner_fixtures" && pwd)
WORK=$(mktemp -d)
MAIN_PID=$BASHPID  # a background subshell signalled before its exec must not run the trap
trap '[[ $BASHPID == "$MAIN_PID" ]] && rm -rf "$WORK"' EXIT
# Relative paths in the report: the fixtures are named the same wherever the tree is.
cd "$FIXTURES/.." || exit 2
unset NODEMCU_EMU

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() {
  failed=$((failed + 1))
  echo "not ok - $1"
  shift
  for line in "$@"; do echo "    $line"; done
}
check() {  # check NAME COMMAND...: passes when the command succeeds
  local name=$1
  shift
  if "$@" >"$WORK/check.out" 2>&1; then pass "$name"; else fail "$name" "$(head -c 1500 "$WORK/check.out")"; fi
}

# runner ARGS...: $WORK/out, $WORK/err, $status (a time limit: the fixtures take well under it).
runner() {
  timeout 120 "$EMU" --test "$@" >"$WORK/out" 2>"$WORK/err"
  status=$?
}

# --- the whole fixture folder ---
runner runner_fixtures --report=junit:"$WORK/all.xml"
cp "$WORK/out" "$WORK/all.tap"
check "exit status 1 when a case failed" test "$status" -eq 1
check "TAP version 13 first, the plan and the totals last" python3 - "$WORK/all.tap" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0] == "TAP version 13", lines[0]
assert lines[-2] == "1..17", lines[-2]
assert lines[-1] == "10 passed, 5 failed, 1 skipped, 1 todo", lines[-1]
PY
check "the failing case: numbered, # escaped, a YAML block with the message" grep -qxF \
  "not ok 1 - runner_fixtures/fail_spec.lua: a \\# in a name & <xml>" "$WORK/all.tap"
check "the YAML block carries the assertion" grep -qF "message: 'fail_spec.lua:4: sum: expected 5, got 4'" "$WORK/all.tap"
check "a failed file's output follows as TAP comments" grep -qxF \
  "#   what the file printed before it failed" "$WORK/all.tap"
check "a passing file's output does not" bash -c "! grep -q '^# output of runner_fixtures/pass_spec.lua' '$WORK/all.tap'"
check "a case after a failure still runs" grep -qxF "ok 2 - runner_fixtures/fail_spec.lua: runs after the failure" "$WORK/all.tap"
check "emu.skip is a TAP SKIP" grep -qxF "ok 10 - runner_fixtures/skip_spec.lua: multicast delivery # SKIP no multicast here" "$WORK/all.tap"
check "emu.todo is a TAP TODO" grep -qxF "not ok 9 - runner_fixtures/pass_spec.lua: todo case # TODO a known bug" "$WORK/all.tap"
check "a PANIC in a net callback fails its case" grep -qE "^not ok 3 - runner_fixtures/panic_spec.lua: a PANIC in a receive callback$" "$WORK/all.tap"
check "its traceback is in the report" grep -qF "PANIC: unprotected error in call to Lua API (panic_spec.lua:8: boom in receive)" "$WORK/all.tap"
check "an error in a timer (no node.setonerror) fails its case" grep -qE "^not ok 4 - .*an error in a timer callback$" "$WORK/all.tap"
check "node.setonerror still gets the script's errors" grep -qE "^ok 5 - .*node.setonerror still gets its errors$" "$WORK/all.tap"
check "the file goes on after the errors" grep -qE "^ok 6 - .*panic_spec.lua: runs after the errors$" "$WORK/all.tap"
check "the emulator ending mid-case fails that case and the run goes on" grep -qxF \
  "not ok 15 - runner_fixtures/sub/test_crash.lua: ends the process" "$WORK/all.tap"
check "a PANIC outside any case fails the file with its stderr" grep -qF \
  'error: "exit status 1\nstderr:\nPANIC: unprotected error in call to Lua API (test_panic.lua:6: boom outside any case)' "$WORK/all.tap"
check "files that are neither *_spec.lua nor test_*.lua are not run" bash -c "! grep -q helper.lua '$WORK/all.tap'"
check "-- args: applies, in the file's folder, on virtual time" grep -qE "^ok 13 - runner_fixtures/sub/args_spec.lua: an hour passes" "$WORK/all.tap"

# prove reads the stream as TAP: 17 tests, these 5 failed (a TODO is not a failure), no parse error.
printf '#!/bin/sh\ncat %s\nexit 1\n' "$WORK/all.tap" >"$WORK/tap.sh"
chmod +x "$WORK/tap.sh"
prove --exec '' -v "$WORK/tap.sh" >"$WORK/prove.out" 2>&1
check "prove: 17 tests, no parse errors" bash -c "grep -q 'Tests: 17 Failed: 5' '$WORK/prove.out' && ! grep -qi 'parse error' '$WORK/prove.out'"
check "prove: the failed ones are the expected ones" grep -qF "Failed tests:  1, 3-4, 15-16" "$WORK/prove.out"

check "JUnit XML: a testsuite per file, a testcase per case" python3 - "$WORK/all.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and root.get("tests") == "17" and root.get("failures") == "5", root.attrib
suites = {s.get("name"): s for s in root.findall("testsuite")}
assert len(suites) == 8, sorted(suites)
fail = suites["runner_fixtures/fail_spec.lua"]
cases = fail.findall("testcase")
assert [c.get("name") for c in cases] == ["a # in a name & <xml>", "runs after the failure"]
f = cases[0].find("failure")
assert "sum: expected 5, got 4" in f.get("message") and "stack traceback" in f.text, f.text
assert cases[1].find("failure") is None
skip = suites["runner_fixtures/skip_spec.lua"].find("testcase/skipped")
assert skip.get("message") == "no multicast here", skip.attrib
panic = suites["runner_fixtures/sub/test_panic.lua"]
assert panic.get("failures") == "1" and "PANIC" in panic.find("testcase/failure").text
assert "PANIC" in panic.find("system-err").text
PY

# --- -j 2: the same report ---
runner -j 2 runner_fixtures
check "-j 2 gives the same TAP, the same status" bash -c "cmp -s '$WORK/out' '$WORK/all.tap' && test $status -eq 1"

# --- --shard K/3: every file exactly once ---
for k in 1 2 3; do
  runner --shard "$k/3" runner_fixtures --report "junit:$WORK/shard$k.xml"
done
check "--shard K/3: every file in exactly one shard, every case once" python3 - "$WORK" <<'PY'
import sys, xml.etree.ElementTree as ET
work = sys.argv[1]
full = [s.get("name") for s in ET.parse(work + "/all.xml").getroot().findall("testsuite")]
shards = [[s.get("name") for s in ET.parse("%s/shard%d.xml" % (work, k)).getroot().findall("testsuite")]
          for k in (1, 2, 3)]
together = sorted(n for s in shards for n in s)
assert together == sorted(full), (shards, full)
assert all(shards), shards
# index mod 3 == K-1 over the sorted paths
assert shards[0] == sorted(full)[0::3], shards[0]
cases = sum(int(ET.parse("%s/shard%d.xml" % (work, k)).getroot().get("tests")) for k in (1, 2, 3))
assert cases == 17, cases
PY

# --- exit statuses ---
runner runner_fixtures/pass_spec.lua runner_fixtures/sub/args_spec.lua
check "exit status 0 when nothing failed (a TODO failure does not count)" test "$status" -eq 0
check "the summary counts a passing run" grep -qxF "5 passed, 0 failed, 0 skipped, 1 todo" "$WORK/out"
runner runner_fixtures/skip_spec.lua
check "exit status 0 when every case was skipped" test "$status" -eq 0
runner runner_fixtures/sub/helper.lua
check "a file named on the command line runs whatever its name" bash -c "test $status -eq 1 && grep -q 'the runner must not run this file' '$WORK/out'"
runner no_such_dir
check "a missing path is a usage error (2)" bash -c "test $status -eq 2 && grep -q 'no such file or directory: no_such_dir' '$WORK/err'"
runner --report=junit:"$WORK/no/such/dir/x.xml" runner_fixtures
check "a report that cannot be written is a usage error (2), before any file runs" bash -c \
  "test $status -eq 2 && grep -q 'cannot write the report' '$WORK/err' && ! test -s '$WORK/out'"
runner --shard 4/3 runner_fixtures
check "--shard K/N with K > N is a usage error (2)" test "$status" -eq 2
runner --timeout=1 runner_fixtures/sub/test_plain.lua --run-for=5 --real-time-is-not-an-option
check "an unknown emulator option fails the file, not the runner" bash -c "test $status -eq 1 && grep -q \"unrecognized option '--real-time-is-not-an-option'\" '$WORK/out'"

# --- Ctrl-C: the children (in process groups of their own) die with the runner ---
mkdir "$WORK/hang"
# Named after this shell's pid: a run of this script beside another (make test's ASan build)
# must not see the other's emulator. The [_] keeps pgrep from matching the command running it.
HANG=hang_$$
cat >"$WORK/hang/${HANG}_spec.lua" <<'LUA'
-- args: --real-time
local emu = require "emu"
emu.async("waits an hour of real time", function(done) tmr.create():alarm(3600000, tmr.ALARM_SINGLE, done) end, 4000000)
LUA
cp runner_fixtures/pass_spec.lua "$WORK/hang/a_spec.lua"
"$EMU" --test "$WORK/hang" >"$WORK/out" 2>"$WORK/err" &
runner_pid=$!
# Interrupt once the hanging file's emulator is running (whenever that is: no time threshold).
for _ in $(seq 200); do pgrep -f "${HANG}[_]spec.lua" >/dev/null && break; sleep 0.05; done
kill -INT "$runner_pid"
wait "$runner_pid"
status=$?
check "SIGINT: exit status 130" test "$status" -eq 130
check "SIGINT: the finished file is reported, then the totals" bash -c \
  "grep -q '^ok 1 - .*a_spec.lua: adds' '$WORK/out' && grep -q '^# interrupted by signal 2' '$WORK/out' && tail -1 '$WORK/out' | grep -q 'passed, 0 failed'"
check "SIGINT: no emulator left running" bash -c "! pgrep -f '${HANG}[_]spec.lua'"

# --- emu.run without NODEMCU_EMU finds this emulator ---
cat >"$WORK/run_child.lua" <<'LUA'
local emu = require "emu"
emu.test("emu.run without NODEMCU_EMU", function()
  local out, _, status = emu.run { script = "print(1 + 1)" }
  emu.eq(out, "2\n")
  emu.eq(status, 0)
end)
LUA
(cd "$WORK" && env -u NODEMCU_EMU timeout 20 "$EMU" --virtual-time run_child.lua >"$WORK/out" 2>&1)
check "emu.run finds its own binary when NODEMCU_EMU is unset" grep -qxF "1 passed, 0 failed" "$WORK/out"

echo "$passed passed, $failed failed"
test "$failed" -eq 0
