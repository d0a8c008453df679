#!/usr/bin/env bash
# busted (Debian lua-busted) running specs inside the emulator: `busted --lua=nodemcu-emu` with
# NODEMCU_EMU_OPTIONS, on the documented example (examples/testing/busted: timers, sockets,
# virtual time, node.heap) and on tests/busted_fixtures (every kind of failure). Checks the
# JUnit output with python3's xml.etree, the exit statuses, and that no spurious
# "(error object is a nil value)" ends a failing run. Skipped (77) where busted is not installed.
# Usage: busted.sh path/to/nodemcu-emu
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
command -v busted >/dev/null || { echo "1..0 # SKIP busted is not installed (apt-get install lua-busted)"; exit 77; }

junit_counts() {  # junit_counts FILE: "tests=N failures=N errors=N" from busted's JUnit XML
  python3 - "$1" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suite = root if root.tag == 'testsuite' else root.find('testsuite')
print('tests=%s failures=%s errors=%s' % (suite.get('tests'), suite.get('failures'), suite.get('errors')))
PY
}

# --- the example: examples/testing/busted (its .busted names the specs and the app's path) ---
cp -r "$ROOT/examples/testing" "$WORK/example"
(cd "$WORK/example/busted" &&
  NODEMCU_EMU_OPTIONS="--host-libs --virtual-time --adc 700" timeout 120 \
    busted --lua="$EMU" -o junit -Xoutput "$WORK/example.xml" >"$OUT" 2>"$ERR")
status=$?
if [ "$status" = 0 ]; then pass "the busted example passes (status 0)"; else fail "the busted example passes (status $status)"; fi
counts=$(junit_counts "$WORK/example.xml" 2>&1)
if [ "$counts" = "tests=4 failures=0 errors=0" ]; then pass "its JUnit XML parses: 4 tests, no failure"
else fail "its JUnit XML parses: 4 tests, no failure" "$counts"; fi
if grep -q "serves the average over TCP" "$WORK/example.xml"; then pass "the asynchronous socket test is in the report"
else fail "the asynchronous socket test is in the report"; fi

# --- every kind of failure, under --firmware=1 from NODEMCU_EMU_FIRMWARE ---
cp "$ROOT/tests/busted_fixtures/mixed_busted.lua" "$WORK/"
(cd "$WORK" && NODEMCU_EMU_FIRMWARE=1 NODEMCU_EMU_OPTIONS="--host-libs --virtual-time" timeout 120 \
    busted --lua="$EMU" -o junit -Xoutput "$WORK/mixed.xml" mixed_busted.lua >"$OUT" 2>"$ERR")
status=$?
if [ "$status" = 1 ]; then pass "a failing busted run exits 1"; else fail "a failing busted run exits 1 (got $status)"; fi
if grep -q "error object is a nil value" "$OUT" "$ERR"; then fail "no spurious '(error object is a nil value)'"
else pass "no spurious '(error object is a nil value)'"; fi
counts=$(junit_counts "$WORK/mixed.xml" 2>&1)
# busted's kinds: the assertion, done(message) and the timeout are failures; the PANIC an error.
if [ "$counts" = "tests=6 failures=3 errors=1" ]; then pass "JUnit: 6 tests, 3 failures, 1 error, the run went on after each"
else fail "JUnit: 6 tests, 3 failures, 1 error, the run went on after each" "$counts"; fi
for text in "boom in receive" "no answer in 30 s" "timed out after 90000 ms" \
            "profile has tmr.alarm: true" "uptime 120 s"; do
  if grep -qF "$text" "$OUT" "$WORK/mixed.xml"; then pass "the report has: $text"; else fail "the report has: $text"; fi
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
