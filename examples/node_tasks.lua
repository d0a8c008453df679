-- Splitting long work into tasks with node.task.post, so timers (and, on the device, Wi-Fi and
-- the network) get their turn between the pieces; capturing print output with node.output;
-- keeping an error in a task from rebooting the chip.
-- Usage: nodemcu-emu --virtual-time examples/node_tasks.lua
local P = node.task

-- 1. Priorities: HIGH runs before MEDIUM before LOW; FIFO within one priority.
P.post(P.LOW_PRIORITY, function(prio) print("low task, priority " .. prio) end)
P.post(function(prio) print("medium task (the default), priority " .. prio) end)
P.post(P.HIGH_PRIORITY, function(prio) print("high task, priority " .. prio) end)

-- 2. A long computation in slices of 1000 numbers, one task each: a timer due meanwhile runs
-- between two slices instead of waiting for the whole sum.
local sum, n, limit = 0, 0, 20000
tmr.create():alarm(1, tmr.ALARM_SINGLE, function() print("timer ran while summing, at n = " .. n) end)
local function slice()
  for _ = 1, 1000 do
    n = n + 1
    sum = sum + n
  end
  tmr.delay(500)  -- pretend each slice takes 0.5 ms of CPU
  if n < limit then P.post(P.LOW_PRIORITY, slice) else print("sum 1.." .. limit .. " = " .. sum) end
end
P.post(P.LOW_PRIORITY, slice)

-- 3. node.output: print() goes to a function, asynchronously (here: line-numbered).
tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
  local lines = {}
  node.output(function(text) lines[#lines + 1] = text end, 0)  -- 0: nothing on the UART
  print("captured one")
  print("captured two")
  P.post(P.LOW_PRIORITY, function()
    node.output(nil)  -- back to the UART
    local all = table.concat(lines)
    local i = 0
    for line in all:gmatch("[^\n]+") do
      i = i + 1
      print(string.format("  output line %d: %s", i, line))
    end
  end)
end)

-- 4. Errors in tasks and timers. On 2.2.1 (the default profile) an error in a callback is a
-- PANIC and the chip reboots at once: guard risky work with pcall. 3.0 (--firmware=3) adds
-- node.setonerror, whose handler keeps the device running (docs/firmware-2.md).
tmr.create():alarm(200, tmr.ALARM_SINGLE, function()
  P.post(function()
    local ok, err = pcall(function() error("a task failed", 0) end)
    print("error handled: " .. tostring(err), ok)
  end)
end)
