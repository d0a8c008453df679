#!/usr/bin/env bash
# Robustness of the command line, checked from outside: SIGINT/SIGTERM stop a busy script or a
# tmr.delay (lua.c's way: a hook raises "interrupted!"), an idle device still exits 0, out of
# memory is survivable, --boot fails without init.lua. Usage: robustness.sh path/to/nodemcu-emu
# Prints one line per check, then "N passed, N failed"; exits 1 if any failed.
set -u

. "$(dirname "$0")/lib.sh"

run() {
  timeout 20 "$EMU" "$@" </dev/null >"$OUT" 2>"$ERR"
  status=$?
}

# signal_stops NAME SIGNAL WANT_STATUS ARGS...: starts the emulator in the background, waits
# until it has printed "ready" (so the signal comes while the script is in its busy part), sends
# SIGNAL and checks that it exits, with WANT_STATUS, within 20 s. The limits are generous, for a
# loaded machine (they are waits for an event, not thresholds); the code before this feature
# never exited at all.
signal_stops() {
  local name=$1 sig=$2 want=$3
  shift 3
  # Empty the output first: the background shell truncates it only after the fork, and the
  # previous check's "ready" would otherwise send the signal to a shell that has not exec'd the
  # emulator yet.
  : >"$OUT"
  "$EMU" "$@" </dev/null >"$OUT" 2>"$ERR" &
  local pid=$! i
  for ((i = 0; i < 600; i++)); do
    grep -q ready "$OUT" 2>/dev/null && break
    sleep 0.05
  done
  kill "-$sig" "$pid" 2>/dev/null
  for ((i = 0; i < 400; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    fail "$name" "still running 20 s after SIG$sig"
    return
  fi
  wait "$pid"
  status=$?
  if [[ $status == "$want" ]]; then
    pass "$name"
  else
    fail "$name" "expected status $want, got $status"
  fi
}

busy='print("ready") while true do end'
signal_stops "SIGTERM stops a busy loop (status 143, like a shell)" TERM 143 -e "$busy"
signal_stops "SIGINT stops a busy loop (status 130)" INT 130 -e "$busy"
if grep -qF "interrupted!" "$ERR"; then pass "an interrupted script reports 'interrupted!'"; else
  fail "an interrupted script reports 'interrupted!'"; fi
signal_stops "SIGTERM stops tmr.delay(2147483648)" TERM 143 -e 'print("ready") tmr.delay(2147483648)'
signal_stops "a script's own pcall cannot swallow the interruption" TERM 143 \
  -e 'print("ready") while true do pcall(function() while true do end end) end'
signal_stops "SIGTERM stops a busy timer callback" TERM 143 \
  -e 'tmr.create():alarm(10, tmr.ALARM_SINGLE, function() print("ready") while true do end end)'
signal_stops "SIGTERM stops a busy loop under virtual time" TERM 143 \
  --virtual-time -e "$busy"
signal_stops "SIGTERM ends an idle device with status 0" TERM 0 \
  -e 'tmr.create():alarm(100, tmr.ALARM_AUTO, function() end) print("ready")'
signal_stops "SIGINT ends an idle device with status 0" INT 0 \
  -e 'tmr.create():alarm(100, tmr.ALARM_AUTO, function() end) print("ready")'

run --heap 200000 -e "local ok=pcall(function() local t={} while true do t[#t+1]={} end end) print('recovered', ok)"
if [[ $status == 0 && $(cat "$OUT") == "recovered	false" ]]; then
  pass "out of memory caught by pcall is survivable (the garbage is collected)"
else
  fail "out of memory caught by pcall is survivable (the garbage is collected)" "status $status"
fi

mkdir -p empty
run --boot --fs empty
if [[ $status == 1 && $(cat "$OUT") == "lua: cannot open init.lua" ]] &&
  grep -qF "no init.lua" "$ERR"; then
  pass "--boot without init.lua fails with status 1"
else
  fail "--boot without init.lua fails with status 1" "status $status"
fi

mkdir -p d outside
echo 'print("SECRET")' >outside/secret.lua
run --fs d -e 'print(loadfile("../outside/secret.lua"))'
if [[ $status == 0 && $(cat "$OUT") == "nil	cannot open ../outside/secret.lua" ]]; then
  pass "loadfile does not leave --fs"
else
  fail "loadfile does not leave --fs" "status $status"
fi

echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
