-- emu: the emulator's test helper. Scenario tests in tests/lua use it:
--   local emu = require "emu"
--   emu.test("tmr.ALARM_SINGLE is 0", function() emu.eq(tmr.ALARM_SINGLE, 0) end)
--   emu.async("a timer fires once", function(done) ... done() end)
-- Cases run one after another on the event loop; an async case gets `done` to call when it
-- has finished. When all are over the process
-- prints "N passed, N failed" and exits non-zero if any failed.
--   emu.skip("multicast delivery", "no multicast on loopback") reports a case that cannot run
-- here as "ok - NAME # SKIP REASON" (TAP), counted apart: "# N skipped" before the totals. A
-- file whose every case was skipped exits 77, which CTest shows as "Skipped".
--   emu.todo("reason", "name", fn) is an async case for a known bug: "# TODO reason" (TAP), its
-- failure expected and not counted as one.
-- Assertions: emu.eq, emu.truthy, emu.same (deep), emu.raises (exact error text),
-- emu.contains / emu.lacks (substrings), emu.check (inside callbacks).
-- Other devices: emu.run{script=..., args={...}} runs a second emulator (stdout, stderr,
-- status); emu.tmpdir() gives a scratch --fs flash; emu.write / emu.read whole files.
-- The other end of the app's connections: emu.peer.tcp / listen / udp (in-process peers whose
-- reads run the loop); its socket events: emu.trace() (docs/testing.md).
-- emu.exit(status) ends the test run at once (scripts have no os.exit without --host-libs).
-- While a case runs, an error in a callback that would reboot the device (a PANIC, or a pcallx
-- error with no node.setonerror handler) fails that case instead, and the file goes on.
-- `nodemcu-emu --test` reads the "# emu-case:" / "# emu-done:" lines (docs/testing.md).
-- The helper drives the host (files, child emulators) with the host's io and os, which the
-- emulator hands to it even when scripts do not get them (docs/security.md).
local _, host = ...
local io, os = host.io, host.os
local native = require "emu.native"

local emu = {}

local cases, current, passed, failed, skipped, todo = {}, 0, 0, 0, 0, 0
local started = false

local function fmt(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

-- Assertions raise errors with a readable message (caught per case).
function emu.eq(actual, expected, what)
  if actual ~= expected then
    error((what and (what .. ": ") or "") .. "expected " .. fmt(expected) .. ", got " .. fmt(actual), 2)
  end
end

function emu.truthy(v, what)
  if not v then error((what or "value") .. " should be true, got " .. fmt(v), 2) end
  return v
end

-- Calls fn(...) and checks it raises exactly `message`. The "file:line: " position that
-- luaL_error adds for the Lua caller (as on the device) is not part of the comparison.
function emu.raises(message, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected error " .. fmt(message) .. ", but the call succeeded", 2) end
  local bare = type(err) == "string" and err:match("^[^\n]-:%d+: (.*)$")
  if err ~= message and bare ~= message then
    error("expected error " .. fmt(message) .. ", got " .. fmt(err), 2)
  end
end

-- Deep comparison of tables/lists.
function emu.same(a, b, what)
  local function same(x, y)
    if type(x) ~= "table" or type(y) ~= "table" then return x == y end
    for k, v in pairs(x) do if not same(v, y[k]) then return false end end
    for k in pairs(y) do if x[k] == nil then return false end end
    return true
  end
  local function show(t)
    if type(t) ~= "table" then return fmt(t) end
    local parts = {}
    for k, v in pairs(t) do parts[#parts + 1] = tostring(k) .. "=" .. show(v) end
    table.sort(parts)
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  if not same(a, b) then
    error((what and (what .. ": ") or "") .. "expected " .. show(b) .. ", got " .. show(a), 2)
  end
end

local temp_dirs = {}

local function shell_quote(s)
  return "'" .. (tostring(s):gsub("'", [['\'']])) .. "'"
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return text
end

local function write_file(path, text)
  local f = assert(io.open(path, "wb"))
  f:write(text)
  f:close()
end

-- emu.tmpdir(): a new empty directory (e.g. a --fs flash for a child emulator), removed when
-- the test file finishes.
function emu.tmpdir()
  local path = os.tmpname()
  os.remove(path)
  assert(os.execute("mkdir " .. shell_quote(path)) == 0, "cannot create directory " .. path)
  temp_dirs[#temp_dirs + 1] = path
  return path
end

-- emu.mkdir(path): a directory (and its parents) on the host.
function emu.mkdir(path)
  assert(os.execute("mkdir -p " .. shell_quote(path)) == 0, "cannot create directory " .. path)
end

-- emu.write(path, text) / emu.read(path): whole host files, for fixtures and results; read
-- gives nil for a file that cannot be read.
emu.write = write_file
emu.read = read_file

-- emu.run(opts): runs another emulator process and waits for it (this one is blocked meanwhile,
-- like tmr.delay). The executable is $NODEMCU_EMU when set, else this emulator's own binary.
--   opts.script  Lua source for the child (written to a temp file), or
--   opts.file    a script path; with neither, the child gets no script (e.g. with --boot)
--   opts.args    list of options before the script; --virtual-time is added unless opts.real_time
--   opts.script_args  list of arguments after the script
--   opts.stdin   text for the child's stdin (default: none)
--   opts.cwd     the child's working directory
--   opts.env     table of environment variables for the child (e.g. LUA_INIT)
-- Returns stdout, stderr, exit status.
function emu.run(opts)
  local exe = os.getenv("NODEMCU_EMU")
  if not exe or exe == "" then exe = native.executable() end
  if not exe then error("emu.run: set NODEMCU_EMU (the emulator's path)", 2) end
  local words = {}
  for name, value in pairs(opts.env or {}) do words[#words + 1] = name .. "=" .. shell_quote(value) end
  words[#words + 1] = shell_quote(exe)
  if not opts.real_time then words[#words + 1] = "--virtual-time" end
  for _, a in ipairs(opts.args or {}) do words[#words + 1] = shell_quote(a) end
  local temps = {}
  local function temp(text)
    local path = os.tmpname()
    if text then write_file(path, text) end
    temps[#temps + 1] = path
    return path
  end
  if opts.script then words[#words + 1] = shell_quote(temp(opts.script))
  elseif opts.file then words[#words + 1] = shell_quote(opts.file) end
  for _, a in ipairs(opts.script_args or {}) do words[#words + 1] = shell_quote(a) end
  local out, err = temp(), temp()
  local cmd = table.concat(words, " ") .. " <" .. shell_quote(opts.stdin and temp(opts.stdin) or "/dev/null") ..
      " >" .. shell_quote(out) .. " 2>" .. shell_quote(err) .. "; echo $?"
  if opts.cwd then cmd = "cd " .. shell_quote(opts.cwd) .. " && " .. cmd end
  local pipe = assert(io.popen(cmd, "r"))
  local status = tonumber(pipe:read("*a"):match("%d+"))
  pipe:close()
  local stdout, stderr = read_file(out) or "", read_file(err) or ""
  for _, path in ipairs(temps) do os.remove(path) end
  return stdout, stderr, status
end

-- emu.contains(text, plain_substring, what): asserts that text contains the substring.
function emu.contains(text, part, what)
  if not tostring(text):find(part, 1, true) then
    error((what and (what .. ": ") or "") .. "expected to find " .. fmt(part) .. " in " .. fmt(text), 2)
  end
end

-- emu.lacks(text, plain_substring, what): asserts that text does not contain the substring.
function emu.lacks(text, part, what)
  if tostring(text):find(part, 1, true) then
    error((what and (what .. ": ") or "") .. "did not expect " .. fmt(part) .. " in " .. fmt(text), 2)
  end
end

-- One line per event for `nodemcu-emu --test` (src/cli/test_runner.cpp), beside the human
-- lines: "# emu-case: STATUS<TAB>NAME<TAB>REASON<TAB>ERROR", each field with %, tab, CR and LF
-- written as %25, %09, %0D, %0A, so that a name or a traceback never breaks the line and a
-- script's own output never looks like a result.
local escapes = { ["%"] = "%25", ["\t"] = "%09", ["\r"] = "%0D", ["\n"] = "%0A" }
local function report(status, name, reason, err)
  local fields = { status, name, reason or "", err and tostring(err) or "" }
  for i, f in ipairs(fields) do fields[i] = (tostring(f):gsub("[%%\t\r\n]", escapes)) end
  print("# emu-case: " .. table.concat(fields, "\t"))
end

local function finish()
  for _, path in ipairs(temp_dirs) do os.execute("rm -rf " .. shell_quote(path)) end
  -- The runner's end marker: without it, the file ended early (a crash, a PANIC, os.exit).
  print(string.format("# emu-done: %d passed, %d failed, %d skipped, %d todo", passed, failed, skipped, todo))
  if skipped > 0 then print(string.format("# %d skipped", skipped)) end
  if todo > 0 then print(string.format("# %d todo (known bugs, expected to fail)", todo)) end
  print(string.format("%d passed, %d failed", passed, failed))
  if failed == 0 and passed == 0 and skipped > 0 then os.exit(77) end  -- CTest: Skipped
  os.exit(failed == 0 and 0 or 1)
end

-- emu.exit(status): ends the process with `status` (true/nil 0, false 1, or a number).
function emu.exit(status)
  os.exit(status)
end

-- emu.free_port([kind]): a port number the kernel gives out on 127.0.0.1 ("udp" or "tcp",
-- default udp), for a child emulator's --port-map: a device's own port 0 takes the lowest
-- free port from 4097, the same number in every run, so runs side by side would collide.
function emu.free_port(kind)
  return native.free_port(kind == "tcp" and "tcp" or "udp")
end

-- emu.tmpname(): a fresh host file name (os.tmpname).
emu.tmpname = function() return os.tmpname() end
-- emu.remove(path): removes a host file (os.remove).
emu.remove = function(path) return os.remove(path) end

-- emu.getenv(name): the host's environment variable (os.getenv), for tests that run children.
emu.getenv = function(name) return os.getenv(name) end

local run_next

local function settle(name, ok, err, todo_reason)
  if todo_reason then
    -- A known bug: its failure is expected and does not fail the file (TAP "# TODO").
    todo = todo + 1
    report("todo", name, todo_reason, not ok and err or nil)
    if ok then
      print("ok - " .. name .. " # TODO " .. todo_reason .. " (it passes now: make it an ordinary case)")
    else
      print("not ok - " .. name .. " # TODO " .. todo_reason .. "\n    " .. tostring(err):gsub("\n", "\n    "))
    end
  elseif ok then
    passed = passed + 1
    report("pass", name)
    print("ok - " .. name)
  else
    failed = failed + 1
    report("fail", name, nil, err)
    print("not ok - " .. name .. "\n    " .. tostring(err):gsub("\n", "\n    "))
  end
  native.post(run_next)
end

run_next = function()
  current = current + 1
  local case = cases[current]
  if not case then return finish() end
  if case.skip then
    skipped = skipped + 1
    report("skip", case.name, case.skip)
    print("ok - " .. case.name .. " # SKIP " .. case.skip)
    return native.post(run_next)
  end
  local finished = false
  local guard = tmr.create()
  local function done(err)
    if finished then return end
    finished = true
    native.set_case_error_hook(nil)
    guard:unregister()
    settle(case.name, err == nil, err, case.todo)
  end
  -- A case that never calls done() fails after its timeout (virtual time: instantly).
  guard:alarm(case.timeout_ms, tmr.ALARM_SINGLE, function()
    done("timed out after " .. case.timeout_ms .. " ms")
  end)
  emu.current_done = done
  report("start", case.name)
  -- An error in any callback while the case runs (a PANIC in a net callback, a timer's error
  -- with no node.setonerror handler) fails this case instead of rebooting the device.
  native.set_case_error_hook(done)
  local ok, err = xpcall(function() return case.fn(done) end, debug.traceback)
  if not ok then done(err)
  elseif not case.async then done() end
end

-- Fails the running case from inside a callback: use in callbacks instead of error().
function emu.check(fn, ...)
  local ok, err = xpcall(fn, debug.traceback, ...)
  if not ok and emu.current_done then emu.current_done(err) end
  return ok
end

local function add(name, fn, async, timeout_ms)
  -- The guard is a tmr alarm, so the timeout has the SDK's limit.
  if timeout_ms and not (timeout_ms >= 1 and timeout_ms <= 6870947) then
    error("emu.async: timeout_ms must be 1..6870947, got " .. tostring(timeout_ms), 3)
  end
  cases[#cases + 1] = { name = name, fn = fn, async = async, timeout_ms = timeout_ms or 60000 }
  if not started then
    started = true
    native.post(run_next)
  end
end

-- emu.skip(name, reason): a case that cannot run on this host, reported as a TAP skip.
function emu.skip(name, reason)
  add(name, function() end, false)
  cases[#cases].skip = tostring(reason)
end

-- emu.todo(reason, name, fn [, timeout_ms]): an async case for a known bug, expected to fail
-- until it is fixed: reported as TAP "# TODO reason", it never fails the file.
function emu.todo(reason, name, fn, timeout_ms)
  add(name, fn, true, timeout_ms)
  cases[#cases].todo = tostring(reason)
end

-- emu.test(name, fn): a synchronous case; it passes when fn returns.
function emu.test(name, fn) add(name, fn, false) end

-- emu.async(name, fn [, timeout_ms]): fn(done) passes when done() is called, fails on
-- done(message), an error, or when the timeout (on the Clock, default 60 s) runs out.
function emu.async(name, fn, timeout_ms) add(name, fn, true, timeout_ms) end

-- Low memory, for testing what a script does when the heap runs out (run with --heap N).
-- emu.squeeze_heap(slack): fills the Lua heap, then frees until about `slack` bytes are free
-- (node.heap()); emu.release_heap() gives it all back. Nothing allocates outside a pcall once
-- the heap is full. The strings are unique: Lua interns strings, and equal ones cost nothing.
local ballast, serial = nil, 0

local function grab(size)
  serial = serial + 1
  ballast[#ballast + 1] = (string.format("%09d", serial)):rep(math.max(1, math.floor(size / 9)))
end

function emu.squeeze_heap(slack)
  ballast = {}
  collectgarbage()
  for _, size in ipairs({ 16384, 1024, 128, 16 }) do
    while pcall(grab, size) do end
  end
  while #ballast > 0 and node.heap() < slack do ballast[#ballast] = nil end
end

function emu.release_heap()
  ballast = nil
  collectgarbage()
end

-- Simulated devices on the board: emu.attach(spec [, options]) or emu.attach{...}
-- (lua/emu_attach.lua, docs/peripherals.md). Loaded on first use: the helper shares the
-- device's 44 KB heap with the script under test.
function emu.attach(...) return require("emu_attach")(...) end

-- In-process peers, the other end of the app's connections (docs/testing.md, "In-process
-- peers"): emu.peer.tcp(host, port), emu.peer.listen([port]), emu.peer.udp([port]). Their reads
-- run the event loop until the data is there. Loaded on first use, as emu.attach is.
emu.peer = setmetatable({}, { __index = function(peer, name)
  setmetatable(peer, nil)
  for k, v in pairs(require "emu.peer") do peer[k] = v end
  return rawget(peer, name)
end })

-- emu.trace([{ peers = true }]): records the device's trace events (the ones --trace prints)
-- from now on, for assertions (lua/emu_trace.lua).
function emu.trace(opts)
  local recording = require("emu_trace")(opts, emu)
  return recording
end

-- Facts about the emulator itself (not the device): native objects alive, the Clock.
emu.live_objects = native.live_objects
emu.clock = native.clock

-- Driving the event loop from inside a script (a busted `it`, a synchronous case, the main
-- chunk): timers, tasks and socket callbacks run meanwhile, as between two tasks on the device.
-- emu.now(): the Clock in milliseconds (fractions below).
function emu.now() return native.now_us() / 1000 end

local function check_ms(fname, ms, default)
  if ms == nil then ms = default end
  if type(ms) ~= "number" or ms < 0 or ms ~= ms then
    error(fname .. ": milliseconds must be a number >= 0, got " .. tostring(ms), 3)
  end
  return ms
end

-- emu.advance(ms): lets `ms` milliseconds pass on the Clock, running whatever falls due (under
-- virtual time at once; under real time it takes that long).
function emu.advance(ms)
  ms = check_ms("emu.advance", ms)
  local limit = native.now_us() + math.floor(ms * 1000 + 0.5)
  while native.step(limit) do end
end

-- emu.run_until(predicate [, timeout_ms]): runs the loop until predicate() returns a true
-- value, and returns it; after timeout_ms (default 60000) on the Clock, returns nil and
-- "timed out after N ms", so that assert(emu.run_until(...)) fails with that message. When the
-- loop stops first, the message says why: "halted: node.restart()", "halted: deep sleep",
-- "halted: an error rebooted the device", "stopping: the emulator is exiting".
function emu.run_until(predicate, timeout_ms)
  if type(predicate) ~= "function" then
    error("emu.run_until: predicate must be a function, got " .. type(predicate), 2)
  end
  timeout_ms = check_ms("emu.run_until", timeout_ms, 60000)
  local limit = native.now_us() + math.floor(timeout_ms * 1000 + 0.5)
  local going, why
  repeat
    local v = predicate()
    if v then return v end
    going, why = native.step(limit)
  until not going
  local v = predicate()
  if v then return v end
  return nil, why and why .. " before the condition held" or "timed out after " .. timeout_ms .. " ms"
end

return emu
