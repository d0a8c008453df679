-- tmr: an error in a timer callback (spec/tmr.md T9, node.md O5). The default handler reboots
-- the device 2 s later, so these cases run a second emulator and watch its output and status.
-- The onerror handler and its 2 s grace are 3.0's (luaL_pcallx): those cases run the second
-- device under --firmware=3. 1.5.4.1 and 2.2.1 call timers with lua_call: the last cases.
local emu = require "emu"

local function run(opts)
  local args = { "--firmware=3" }
  for _, a in ipairs(opts.args or {}) do args[#args + 1] = a end
  opts.args = args
  return emu.run(opts)
end

-- A device that ticks every 500 ms and fails in a timer callback at 10 ms.
local failing_device = [[
tmr.create():alarm(500, tmr.ALARM_AUTO, function() print("tick " .. tmr.now() / 1000) end)
tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("boom") end)
]]

emu.test("T9 an error in a timer callback is printed with a traceback", function()
  local _, err = run { script = failing_device }
  emu.contains(err, ": boom\nstack traceback:\n")
  emu.contains(err, "in function 'error'")
end)

emu.test("T9 with the default handler the device restarts 2 s later (--on-error=panic exits 1)", function()
  local out, err, status = run { script = failing_device }
  emu.eq(status, 1, "exit status")
  -- Callbacks keep running during those 2 s: the error was at 10 ms, the reboot at 2010 ms.
  emu.eq(out, "tick 500\ntick 1000\ntick 1500\ntick 2000\n")
  emu.contains(err, "nodemcu-emu: the device reboots here; exiting (--on-error=panic)")
end)

emu.test("T9 the handler is called in a later task, after the failing callback has ended", function()
  local out, err, status = run { script = [[
    node.setonerror(function(msg) print("handler got: " .. msg:match("[^\n]*")) end)
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
      print("before")
      error("first")
    end)
  ]] }
  emu.eq(status, 0, "exit status; stderr: " .. err)
  emu.eq(out:gsub("[^ ]*:%d+: ", ""), "before\nhandler got: first\n")
end)

emu.test("T9 after node.setonerror(fn) only fn(msg) is called and the device keeps running", function()
  local out, err, status = run { script = [[
    node.setonerror(function(msg) print("handled: " .. msg) end)
    local n = 0
    tmr.create():alarm(1000, tmr.ALARM_AUTO, function(t)
      n = n + 1
      if n == 5 then t:unregister() print("still alive at " .. tmr.time()) end
    end)
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("boom") end)
  ]] }
  emu.eq(status, 0, "exit status")
  emu.eq(err, "", "stderr")
  emu.contains(out, "handled: ")
  emu.contains(out, ": boom\nstack traceback:\n", "the handler gets the message with its traceback")
  emu.contains(out, "still alive at 5\n")
end)

emu.test("T9 node.setonerror() with no function restores the default handler", function()
  local out, err, status = run { script = [[
    node.setonerror(function(msg) print("custom") end)
    node.setonerror()
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("boom") end)
    tmr.create():alarm(3000, tmr.ALARM_SINGLE, function() print("not reached") end)
  ]] }
  emu.eq(status, 1)
  emu.eq(out, "")
  emu.contains(err, ": boom")
end)

emu.test("T9 --on-error=continue prints the error and goes on without a restart", function()
  local out, err, status = run { args = { "--on-error=continue" }, script = [[
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("boom") end)
    tmr.create():alarm(5000, tmr.ALARM_SINGLE, function() print("alive at " .. tmr.time()) end)
  ]] }
  emu.eq(status, 0)
  emu.eq(out, "alive at 5\n")
  emu.contains(err, ": boom\nstack traceback:")
  emu.lacks(err, "reboots")
end)

emu.test("T9 --on-error=restart reboots the device 2 s after the error and runs the program again", function()
  local out, _, status = run { args = { "--on-error=restart", "--run-for", "5" }, script = [[
    print("boot " .. select(2, node.bootreason()) .. " at uptime " .. tmr.now())
    tmr.create():alarm(100, tmr.ALARM_SINGLE, function() error("boom") end)
  ]] }
  emu.eq(status, 0, "--run-for ends the run")
  -- Boots at 0, 2.1 s and 4.2 s (of loop time); each boot's uptime starts at 0.
  emu.eq(out, "boot 0 at uptime 0\nboot 4 at uptime 0\nboot 4 at uptime 0\n")
end)

emu.test("T9 several errors before the reboot restart the device only once", function()
  local out, _, status = run { args = { "--on-error=restart", "--run-for", "3" }, script = [[
    print("boot")
    tmr.create():alarm(100, tmr.ALARM_SINGLE, function() error("one") end)
    tmr.create():alarm(1500, tmr.ALARM_SINGLE, function() error("two") end)
  ]] }
  emu.eq(status, 0)
  -- Reboot at 2.1 s (the first error's); the second error's would have been at 3.5 s.
  emu.eq(out, "boot\nboot\n")
end)

emu.test("O5 an error in a node.task.post callback also restarts the device after 2 s", function()
  local out, err, status = run { script = [[
    tmr.create():alarm(900, tmr.ALARM_AUTO, function() print("tick " .. tmr.now() / 1000) end)
    node.task.post(function() error("task failed") end)
  ]] }
  emu.eq(status, 1)
  emu.eq(out, "tick 900\ntick 1800\n")
  emu.contains(err, ": task failed\nstack traceback:")
end)

emu.test("O5 after node.setonerror(print) an error in a task does not restart the device", function()
  local out, err, status = run { script = [[
    node.setonerror(function(s) print(s) end)
    node.task.post(function() error("task failed") end)
    tmr.create():alarm(3000, tmr.ALARM_SINGLE, function() print("alive") end)
  ]] }
  emu.eq(status, 0)
  emu.eq(err, "")
  emu.contains(out, ": task failed\nstack traceback:")
  emu.contains(out, "alive\n")
end)

-- The firmware would pass the handler's own error to the same handler again, in a new task,
-- for ever; the emulator treats it as fatal instead (docs/node.md).
emu.test("an error inside the onerror handler itself reboots the device at once", function()
  local out, err, status = run { script = [[
    node.setonerror(function(s) error("handler broke") end)
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("boom") end)
    tmr.create():alarm(500, tmr.ALARM_SINGLE, function() print("not reached") end)
  ]] }
  emu.eq(status, 1)
  emu.eq(out, "")
  emu.contains(err, "handler broke")
end)

for _, profile in ipairs { "1", "2" } do
  emu.test("under --firmware=" .. profile .. " an error in a timer callback is an immediate PANIC", function()
    local out, err, status = emu.run { args = { "--firmware=" .. profile }, script = failing_device }
    emu.eq(status, 1, "exit status")
    emu.eq(out, "", "no tick: the device stops at 10 ms, not 2 s later")
    emu.contains(err, "PANIC: unprotected error in call to Lua API (")
    emu.contains(err, ": boom)\nstack traceback:")
  end)

  emu.test("under --firmware=" .. profile .. " an error in a node.task.post callback is a PANIC", function()
    local out, err, status = emu.run { args = { "--firmware=" .. profile }, script = [[
      node.task.post(function() error("task failed") end)
      tmr.create():alarm(100, tmr.ALARM_SINGLE, function() print("not reached") end)
    ]] }
    emu.eq(status, 1)
    emu.eq(out, "")
    emu.contains(err, "PANIC: unprotected error in call to Lua API (")
  end)
end

emu.test("under --firmware=2 --on-error=restart an error in a timer reboots at once", function()
  local out, _, status = emu.run { args = { "--firmware=2", "--on-error=restart", "--run-for", "1" }, script = [[
    print("boot " .. select(2, node.bootreason()) .. " at " .. tmr.now())
    if select(2, node.bootreason()) == 0 then
      tmr.create():alarm(100, tmr.ALARM_SINGLE, function() error("boom") end)
    end
  ]] }
  emu.eq(status, 0)
  -- Reason 2: an exception reset (the PANIC), not the 3.0 handler's software restart (4).
  emu.eq(out, "boot 0 at 0\nboot 2 at 0\n")
end)
