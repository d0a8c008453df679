-- args: --firmware=2
-- tmr under the default profile is 2.2.1's (tmr.c@2.2.1-master_20190405) where 3.0 differs:
-- the decimal range text, no start(restart), tmr.delay's plain error, no tmr.ccount.
-- (An error in a timer callback, a PANIC at 2.2.1: tests/lua/tmr_errors.lua.)
local emu = require "emu"

local noop = function() end

emu.test("the interval range error is 2.2.1's decimal 'Range: 1-6870947'", function()
  local t = tmr.create()
  emu.raises("bad argument #1 to 'register' (Range: 1-6870947)", function() t:register(0, tmr.ALARM_SINGLE, noop) end)
  emu.raises("bad argument #1 to 'alarm' (Range: 1-6870947)", function() t:alarm(6870948, tmr.ALARM_AUTO, noop) end)
  t:register(6870947, tmr.ALARM_SINGLE, noop)
  emu.raises("bad argument #1 to 'interval' (Range: 1-6870947)", function() t:interval(-1) end)
  t:unregister()
end)

emu.async("start(true) on a running timer returns false and leaves its period alone", function(done)
  local t = tmr.create()
  local t0 = tmr.now()
  t:alarm(100, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(math.floor((tmr.now() - t0) / 1000), 100, "fired on the first schedule") end)
    done()
  end)
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(t:start(true), false, "no restart flag at 2.2.1") end)
  end)
end)

emu.test("start ignores a second argument of any type (no 'boolean expected')", function()
  local t = tmr.create()
  t:register(100, tmr.ALARM_SINGLE, noop)
  emu.eq(t:start(1), true)
  emu.eq(t:start("x"), false)
  t:unregister()
end)

emu.test("tmr.delay(0) raises a plain 'wrong arg range', not an argument error", function()
  local ok, err = pcall(tmr.delay, 0)
  emu.eq(ok, false)
  emu.eq(err, "wrong arg range")
  ok, err = pcall(tmr.delay, -5)
  emu.eq(err, "wrong arg range")
end)

emu.test("tmr.ccount is absent (it came with 3.0); the rest of tmr_map is there", function()
  emu.eq(tmr.ccount, nil)
  for _, name in ipairs { "create", "delay", "now", "time", "wdclr", "softwd" } do
    emu.eq(type(tmr[name]), "function", name)
  end
  emu.eq(tmr.alarm, nil, "no numbered timers after 1.x")
end)
