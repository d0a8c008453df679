-- emu.busted: the emu helper for specs that busted runs inside the emulator
-- (`busted --lua=nodemcu-emu`, with NODEMCU_EMU_OPTIONS="--host-libs --virtual-time"):
--   local emu = require "emu.busted"
--   it("answers within 5 s", function()
--     ... start a server, connect a client ...
--     assert.truthy(emu.run_until(function() return answer end, 5000))
--   end)
-- It is the emu module (assertions, emu.advance, emu.run_until, emu.now, emu.run, ...) plus:
-- * emu.await(fn [, timeout_ms]): an asynchronous step inside an `it`. fn(done) starts it; the
--   event loop runs until done() is called, then emu.await returns. done(message) fails the
--   test with the message, and so does the timeout (default 60000 ms on the Clock: under
--   virtual time it passes at once); an error in fn or in any callback meanwhile (a PANIC in a
--   net callback, a timer's error) is an error of the test, with its traceback.
-- * node.heap() inside tests reports the app's memory, not busted's: what the heap holds when
--   the first test starts and what it gains outside `it` blocks (spec files' top levels, describe blocks,
--   before_each, busted's results and output) are left out; what tests allocate and keep
--   counts, from one test to the next (docs/testing.md, "busted").
local emu = require "emu"
local native = require "emu.native"

-- busted's API (require "busted" inside a run), or nil when not run by busted.
local found, busted = pcall(require, "busted")
if not (found and type(busted) == "table" and busted.subscribe) then busted = nil end

-- A failure of the test (busted counts it under "failures"), not an error in its code.
local function fail(message, level)
  if busted then busted.fail(message, level + 1) end
  error(message, level + 1)
end

function emu.await(fn, timeout_ms)
  if type(fn) ~= "function" then
    error("emu.await: fn must be a function, got " .. type(fn), 2)
  end
  local finished, failure, crashed = false, nil, nil
  local function done(err)
    if finished then return end
    finished = true
    if err ~= nil then failure = tostring(err) end
  end
  -- Errors in callbacks that would reboot the device end this step as errors of the test, with
  -- their traceback (as they fail an emu case).
  native.set_case_error_hook(function(err)
    if not finished then crashed = err end
    done()
  end)
  local ok, err = xpcall(function() return fn(done) end, debug.traceback)
  if not ok and not finished then crashed = err; done() end
  local _, why = emu.run_until(function() return finished end, timeout_ms)
  native.set_case_error_hook(nil)
  if crashed then error(crashed, 2) end
  if not finished then fail("emu.await: " .. why, 2) end
  if failure then fail(failure, 2) end
end

-- busted's own memory stays out of node.heap(): all the heap holds when the first test starts,
-- and whatever it gains outside tests after that (the spec files' top levels and describe
-- blocks, before_each, busted's results and output between tests). What tests allocate and
-- keep is the app's.
if busted then
  local mark
  -- First among the end handlers, last among the start handlers: the output handler's work on
  -- either side falls between the two marks.
  busted.subscribe({ "test", "end" }, function()
    mark = native.heap_used()
    return nil, true
  end, { priority = 1 })
  busted.subscribe({ "test", "start" }, function()
    if mark then native.heap_exclude(native.heap_used() - mark) else native.heap_rebase() end
    return nil, true
  end)
end

return emu
