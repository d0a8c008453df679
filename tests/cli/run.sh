#!/usr/bin/env bash
# The command line checked from outside: lua.c compatibility, exit statuses, virtual time,
# the console, --boot, signals. Usage: run.sh path/to/nodemcu-emu
# Prints one line per check, then "N passed, N failed"; exits 1 if any failed.
set -u

. "$(dirname "$0")/lib.sh"

# run [ENV=... --] ARGS...: runs the emulator with a time limit, stdin from /dev/null unless
# redirected by the caller; sets $status.
run() {
  timeout 20 "$EMU" "$@" >"$OUT" 2>"$ERR"
  status=$?
}

# feed TEXT ARGS...: like run, with TEXT piped into the emulator's stdin.
feed() {
  local text=$1
  shift
  printf '%s' "$text" | timeout 20 "$EMU" "$@" >"$OUT" 2>"$ERR"
  status=$?
}

# check NAME EXPECTED_STATUS EXPECTED_STDOUT: compares the last run's status and whole stdout.
check() {
  local name=$1 want_status=$2 want_out=$3
  local got_out
  got_out=$(cat "$OUT")
  if [[ $status == "$want_status" && $got_out == "$want_out" ]]; then
    pass "$name"
  else
    fail "$name" "expected status $want_status and stdout '$want_out'" "got status $status"
  fi
}

# expect_in FILE TEXT NAME: the last run's FILE contains TEXT (a fixed string).
contains() { grep -qF -- "$2" "$1"; }

now_ms() { date +%s%3N; }

# --- lua.c compatibility -------------------------------------------------------------------

run -e 'print(1+1)' </dev/null
check "-e 'print(1+1)' prints 2" 0 "2"

run -e 'x = 6' -e 'print(x * 7)' </dev/null
check "several -e run in order" 0 "42"

run '-eprint("attached")' </dev/null
check "-e with its text attached" 0 "attached"

feed $'print(3)\n' -
check "echo 'print(3)' | emu - prints 3" 0 "3"

feed $'print(...)\nprint(arg[0], arg[1], arg[2], #arg)\n' - a b
check "a script on stdin gets its arguments" 0 "$(printf 'a\tb\n-\ta\tb\t2')"

feed $'print("implicit", arg)\n' 
check "with no script and stdin not a terminal, stdin is the script (no arg table)" 0 "$(printf 'implicit\tnil')"

cat >args.lua <<'EOF'
print(select("#", ...), ...)
print(arg[0], arg[1], arg[2], #arg)
print(arg[-1], arg[-2], arg[-3])
EOF
run --virtual-time args.lua one two </dev/null
check "script arguments are varargs and the arg table (negative indices: the options)" 0 \
  "$(printf '2\tone\ttwo\nargs.lua\tone\ttwo\t2\n--virtual-time\t%s\tnil' "$EMU")"

run -- args.lua -v </dev/null
check "-- ends the options" 0 "$(printf '1\t-v\nargs.lua\t-v\tnil\t1\n--\t%s\tnil' "$EMU")"

run -e 'print(arg)' </dev/null
check "without a script there is no arg table, as in lua.c" 0 "nil"

mkdir -p lib
cat >lib/greeter.lua <<'EOF'
greeting = "hello from greeter"
return { name = "greeter" }
EOF
(cd lib && timeout 20 "$EMU" -l greeter -e 'print(greeting, package.loaded.greeter.name)' >"$OUT" 2>"$ERR" </dev/null)
status=$?
check "-l requires a library before the script" 0 "$(printf 'hello from greeter\tgreeter')"

run --fs lib -lgreeter -e 'print(greeting)' </dev/null
check "-l finds libraries in the --fs flash" 0 "hello from greeter"

run -l no_such_module </dev/null
if [[ $status == 1 ]] && contains "$ERR" "module 'no_such_module' not found"; then
  pass "-l of a missing module exits 1 with lua's message"
else
  fail "-l of a missing module exits 1 with lua's message"
fi

run -v </dev/null
if [[ $status == 0 ]] && contains "$OUT" "nodemcu-emu " && contains "$OUT" "Lua 5.1"; then
  pass "-v prints the version and exits 0"
else
  fail "-v prints the version and exits 0"
fi

run --version </dev/null
if [[ $status == 0 ]] && grep -qE '^nodemcu-emu [0-9]+\.[0-9]+\.[0-9]+$' "$OUT"; then
  pass "--version prints the emulator's version"
else
  fail "--version prints the emulator's version"
fi

run -v -e 'print("after version")' </dev/null
if [[ $status == 0 ]] && [[ $(tail -1 "$OUT") == "after version" ]] && contains "$OUT" "Lua 5.1"; then
  pass "-v with -e prints the version, then runs the chunk"
else
  fail "-v with -e prints the version, then runs the chunk"
fi

LUA_INIT='print("init ran")' run -e 'print("then -e")' </dev/null
check "LUA_INIT runs before everything" 0 "$(printf 'init ran\nthen -e')"

echo 'print("init from file")' >init_file.lua
LUA_INIT=@init_file.lua run -e 'print("then -e")' </dev/null
check "LUA_INIT=@file runs the file" 0 "$(printf 'init from file\nthen -e')"

LUA_INIT='error("bad init")' run -e 'print("not reached")' </dev/null
if [[ $status == 1 ]] && contains "$ERR" "bad init" && [[ ! -s $OUT ]]; then
  pass "an error in LUA_INIT exits 1 before the chunks run"
else
  fail "an error in LUA_INIT exits 1 before the chunks run"
fi

# --- errors and exit statuses ---------------------------------------------------------------

cat >fails.lua <<'EOF'
print("before")
local function inner() error("it broke") end
inner()
EOF
run fails.lua </dev/null
if [[ $status == 1 ]] && [[ $(cat "$OUT") == "before" ]] &&
  contains "$ERR" "nodemcu-emu: fails.lua:2: it broke" && contains "$ERR" "stack traceback:" &&
  contains "$ERR" "in function 'inner'"; then
  pass "an uncaught error exits 1 with 'nodemcu-emu: msg' and a stack traceback on stderr"
else
  fail "an uncaught error exits 1 with 'nodemcu-emu: msg' and a stack traceback on stderr"
fi

run -e 'error({})' </dev/null
if [[ $status == 1 ]] && contains "$ERR" "nodemcu-emu: (error object is a table value)"; then
  pass "a non-string error object is described, as lua.c does"
else
  fail "a non-string error object is described, as lua.c does"
fi

run -e 'x = = 1' </dev/null
if [[ $status == 1 ]] && contains "$ERR" "nodemcu-emu: (command line):1: unexpected symbol near '='"; then
  pass "a syntax error in -e exits 1 with the compiler's message"
else
  fail "a syntax error in -e exits 1 with the compiler's message"
fi

run no_such_script.lua </dev/null
if [[ $status == 1 ]] && contains "$ERR" "nodemcu-emu: cannot open no_such_script.lua"; then
  pass "a missing script exits 1"
else
  fail "a missing script exits 1"
fi

run -e 'print("first")' -e 'error("second fails")' -e 'print("third")' </dev/null
if [[ $status == 1 ]] && [[ $(cat "$OUT") == "first" ]]; then
  pass "a failing -e stops the later ones"
else
  fail "a failing -e stops the later ones"
fi

run --host-libs -e 'os.exit(7)' </dev/null
check "os.exit(n) exits with n (os with --host-libs)" 7 ""

run --bogus </dev/null
if [[ $status == 2 ]] && contains "$ERR" "nodemcu-emu: unrecognized option '--bogus'" &&
  contains "$ERR" "--help"; then
  pass "a bad option exits 2 with a message"
else
  fail "a bad option exits 2 with a message"
fi

run -x </dev/null
if [[ $status == 2 ]] && contains "$ERR" "unrecognized option '-x'"; then
  pass "a bad short option exits 2"
else
  fail "a bad short option exits 2"
fi

run -e </dev/null
if [[ $status == 2 ]] && contains "$ERR" "'-e' needs argument"; then
  pass "-e without its argument exits 2"
else
  fail "-e without its argument exits 2"
fi

run --run-for=soon </dev/null
if [[ $status == 2 ]] && contains "$ERR" "option '--run-for' needs a number of seconds, got 'soon'"; then
  pass "a bad option value exits 2 naming the option"
else
  fail "a bad option value exits 2 naming the option"
fi

run --help </dev/null
if [[ $status == 0 ]] && contains "$OUT" "usage: nodemcu-emu [options] [script [args]]" &&
  contains "$OUT" "--virtual-time" && [[ ! -s $ERR ]]; then
  pass "--help prints the usage on stdout and exits 0"
else
  fail "--help prints the usage on stdout and exits 0"
fi

# --- the event loop and virtual time --------------------------------------------------------

# Virtual time is asserted on the virtual clock (tmr.time), never on the wall clock: a loaded
# machine (tests/stress.sh) may take any time; `run`'s 20 s limit is the only wall-clock bound.
run --virtual-time -e 'tmr.create():alarm(3600000, tmr.ALARM_SINGLE, function() print("fired after " .. tmr.time() .. " s") end)' </dev/null
check "a one-hour alarm under --virtual-time fires at 3600 s of virtual time, within the 20 s limit" 0 \
  "fired after 3600 s"

run --virtual-time -e 'print("main chunk")' -e 'node.task.post(function() print("task") end)' </dev/null
check "the loop runs posted tasks, then exits when nothing can happen" 0 "$(printf 'main chunk\ntask')"

run --virtual-time --run-for 10 -e 'tmr.create():alarm(1000, tmr.ALARM_AUTO, function() print(tmr.time()) end)' </dev/null
check "--run-for 10 bounds a run with an endless timer (virtual time: ticks at 1..10 s)" 0 "$(seq 1 10)"

start=$(now_ms)
run --run-for 0.3 -e 'tmr.create():alarm(100, tmr.ALARM_AUTO, function() print("tick") end)' </dev/null
elapsed=$(($(now_ms) - start))
ticks=$(grep -c '^tick$' "$OUT")
# Real time: only what load cannot break is asserted. The run lasts at least 0.3 s and sees at
# most 3 ticks (the clock starts before the script is loaded; a loaded machine may see fewer).
if [[ $status == 0 && $ticks -le 3 && $elapsed -ge 290 ]]; then
  pass "--run-for 0.3 bounds a run under real time (${elapsed} ms)"
else
  fail "--run-for 0.3 bounds a run under real time" "took ${elapsed} ms, $ticks ticks"
fi

run --virtual-time -e 'local t0 = tmr.now() tmr.delay(1500000) print(tmr.now() - t0)' </dev/null
check "tmr.delay moves the virtual clock" 0 "1500000"

# --- the interactive console ----------------------------------------------------------------

feed $'x = 20\nprint(x + 1)\n=x * 2\nfor i = 1, 2 do\nprint(i)\nend\n' -i
want=$(printf '> > 21\n> 40\n> >> >> 1\n2\n> ')
got=$(sed 1,3d "$OUT")  # the version line, then the firmware's boot banner ("\nNodeMCU ...\n")
if [[ $status == 0 && $(head -1 "$OUT") == nodemcu-emu* && $(sed -n 3p "$OUT") == "NodeMCU 2.2.1.0 build "* &&
      $got == "$want" ]]; then
  pass "-i with piped stdin: banner, prompt '> ', lines run, '>>' continues a statement"
else
  fail "-i with piped stdin: banner, prompt '> ', lines run, '>>' continues a statement" "want: $want"
fi

printf 'print("from a file")\ny = 5\n=y * 3\n' >console_input.txt
run -i <console_input.txt
if [[ $status == 0 ]] && [[ $(sed 1,3d "$OUT") == "$(printf '> from a file\n> > 15\n> ')" ]]; then
  pass "-i with a regular file on stdin reads it as console input"
else
  fail "-i with a regular file on stdin reads it as console input"
fi

feed $'error("typed")\nprint("still here")\n' -i
if [[ $status == 0 ]] && contains "$ERR" "typed" && contains "$OUT" "still here"; then
  pass "an error typed on the console is reported and the console goes on"
else
  fail "an error typed on the console is reported and the console goes on"
fi

feed $'t = tmr.create()\nt:alarm(1000, tmr.ALARM_AUTO, function() n = (n or 0) + 1 print("tick " .. n) if n == 3 then t:unregister() end end)\n' \
  --virtual-time -i
if [[ $status == 0 ]] && [[ $(grep -c '^tick' "$OUT") == 3 ]] && contains "$OUT" "tick 3"; then
  pass "timers armed from the console keep running after its input ends"
else
  fail "timers armed from the console keep running after its input ends"
fi

cat >console_app.lua <<'EOF'
count = 0
tmr.create():alarm(1, tmr.ALARM_AUTO, function()
  count = count + 1
  if count == 50 then print("fifty ticks") end
end)
EOF
# No sleep-and-hope: the console's input stays open (nothing typed) until the script's timer has
# printed "fifty ticks" (polled, at most 15 s), then the console is asked.
: >"$OUT"
{
  echo 'print("start")'
  for _ in $(seq 1 300); do
    contains "$OUT" "fifty ticks" && break
    sleep 0.05
  done
  echo 'print(count >= 50)'
  echo 'os.exit(0)'
} | timeout 20 "$EMU" --host-libs -i console_app.lua >"$OUT" 2>"$ERR"
status=$?
if [[ $status == 0 ]] && contains "$OUT" "start" && contains "$OUT" "true"; then
  pass "-i after a script: the script's timers run while the console waits for input"
else
  fail "-i after a script: the script's timers run while the console waits for input"
fi

# --- the device: --boot, restart ------------------------------------------------------------

mkdir -p flash
cat >flash/init.lua <<'EOF'
print("init.lua, boot reason " .. select(2, node.bootreason()))
EOF
run --boot --fs flash </dev/null
check "--boot runs init.lua from the --fs flash" 0 "init.lua, boot reason 0"

cat >flash/init.lua <<'EOF'
local f = file.open("boots.txt", "r")
local n = tonumber(f and f:read() or "0") + 1
if f then f:close() end
f = file.open("boots.txt", "w")
f:write(tostring(n))
f:close()
print("boot " .. n)
if n < 3 then tmr.create():alarm(100, tmr.ALARM_SINGLE, function() node.restart() end) end
EOF
rm -f flash/boots.txt
(cd flash && timeout 20 "$EMU" --virtual-time --boot >"$OUT" 2>"$ERR" </dev/null)
status=$?
check "node.restart under --boot runs init.lua again (3 boots)" 0 "$(printf 'boot 1\nboot 2\nboot 3')"
if [[ $(cat flash/boots.txt) == 3 ]] && [[ $(grep -c "device restart" "$ERR") == 2 ]]; then
  pass "each restart is reported on stderr"
else
  fail "each restart is reported on stderr"
fi

echo 'error("init fails")' >flash/init.lua
run --boot --fs flash </dev/null
if [[ $status == 1 ]] && contains "$ERR" "init fails"; then
  pass "an error in init.lua under --boot with --on-error=panic exits 1"
else
  fail "an error in init.lua under --boot with --on-error=panic exits 1"
fi

run --boot --fs flash --on-error=continue </dev/null
if [[ $status == 0 ]] && contains "$ERR" "init fails"; then
  pass "an error in init.lua with --on-error=continue is reported and the device goes on"
else
  fail "an error in init.lua with --on-error=continue is reported and the device goes on"
fi

run --boot app.lua </dev/null
if [[ $status == 2 ]] && contains "$ERR" "give no script"; then
  pass "--boot with a script is a usage error"
else
  fail "--boot with a script is a usage error"
fi

# --- signals ----------------------------------------------------------------------------------

for sig in TERM INT; do
  : >"$OUT"  # not the previous round's "running" (see robustness.sh's signal_stops)
  "$EMU" -e 'print("running") tmr.create():alarm(50, tmr.ALARM_AUTO, function() end)' >"$OUT" 2>"$ERR" </dev/null &
  pid=$!
  for _ in $(seq 1 500); do
    [[ -s $OUT ]] && break
    sleep 0.02
  done
  # The handlers are installed before the script runs: "running" printed means they are in place.
  kill -s "$sig" "$pid"
  waited=0
  while kill -0 "$pid" 2>/dev/null && ((waited < 100)); do
    sleep 0.05
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -9 "$pid"
    status=killed
  else
    wait "$pid"
    status=$?
  fi
  if [[ $status == 0 ]] && contains "$OUT" "running"; then
    pass "SIG$sig stops a running loop cleanly (exit 0)"
  else
    fail "SIG$sig stops a running loop cleanly (exit 0)" "status $status"
  fi
done

echo "$passed passed, $failed failed"
((failed == 0))
