-- emu: the emulator's test helper. Scenario tests in tests/lua use it:
--   local emu = require "emu"
--   emu.test("tmr.ALARM_SINGLE is 0", function() emu.eq(tmr.ALARM_SINGLE, 0) end)
--   emu.async("a timer fires once", function(done) ... done() end)
-- Cases run one after another on the event loop; an async case gets `done` to call when it
-- has finished. When all are over the process
-- prints "N passed, N failed" and exits non-zero if any failed.
local emu = {}

local cases, current, passed, failed = {}, 0, 0, 0
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

-- Calls fn(...) and checks it raises exactly `message` (no position prefix expected).
function emu.raises(message, fn, ...)
  local ok, err = pcall(fn, ...)
  if ok then error("expected error " .. fmt(message) .. ", but the call succeeded", 2) end
  if err ~= message then error("expected error " .. fmt(message) .. ", got " .. fmt(err), 2) end
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

local function finish()
  print(string.format("%d passed, %d failed", passed, failed))
  os.exit(failed == 0 and 0 or 1)
end

local run_next

local function settle(name, ok, err)
  if ok then
    passed = passed + 1
    print("ok - " .. name)
  else
    failed = failed + 1
    print("not ok - " .. name .. "\n    " .. tostring(err):gsub("\n", "\n    "))
  end
  node.task.post(node.task.LOW_PRIORITY, run_next)
end

run_next = function()
  current = current + 1
  local case = cases[current]
  if not case then return finish() end
  local finished = false
  local guard = tmr.create()
  local function done(err)
    if finished then return end
    finished = true
    guard:unregister()
    settle(case.name, err == nil, err)
  end
  -- A case that never calls done() fails after its timeout (virtual time: instantly).
  guard:alarm(case.timeout_ms, tmr.ALARM_SINGLE, function()
    done("timed out after " .. case.timeout_ms .. " ms")
  end)
  emu.current_done = done
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
  cases[#cases + 1] = { name = name, fn = fn, async = async, timeout_ms = timeout_ms or 60000 }
  if not started then
    started = true
    node.task.post(node.task.LOW_PRIORITY, run_next)
  end
end

-- emu.test(name, fn): a synchronous case; it passes when fn returns.
function emu.test(name, fn) add(name, fn, false) end

-- emu.async(name, fn [, timeout_ms]): fn(done) passes when done() is called, fails on
-- done(message), an error, or when the timeout (on the Clock, default 60 s) runs out.
function emu.async(name, fn, timeout_ms) add(name, fn, true, timeout_ms) end

return emu
