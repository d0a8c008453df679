-- args: --epoch 1700000000.25
-- rtctime on the Clock (app/modules/rtctime.c): --epoch sets the RTC at power-on, and it moves
-- with the (virtual) clock.
local emu = require "emu"

emu.test("--epoch sets the time of day at boot", function()
  local sec, usec, rate = rtctime.get()
  emu.eq(sec, 1700000000)
  emu.eq(usec, 250000)
  emu.eq(rate, 0)
end)

emu.async("a logger every 20 minutes gets exact timestamps", function(done)
  local start = rtctime.get()
  local stamps = {}
  local t = tmr.create()
  t:alarm(1200000, tmr.ALARM_AUTO, function()
    stamps[#stamps + 1] = rtctime.get() - start
    if #stamps == 3 then
      t:unregister()
      emu.check(function() emu.same(stamps, { 1200, 2400, 3600 }) end)
      done()
    end
  end)
end, 5000000)

emu.test("set(sec, usec) then get; a rate stretches the time that follows", function()
  rtctime.set(1000, 500000)
  local sec, usec = rtctime.get()
  emu.eq(sec, 1000)
  emu.eq(usec, 500000)
  rtctime.set(2000, 0, 4294967)  -- about 1000 ppm fast
  emu.eq(select(3, rtctime.get()), 4294967)
  emu.eq(rtctime.adjust_delta(1000000), 1000999)
  rtctime.set(2000, 0, 0)
end)

emu.test("epoch2cal gives the UTC calendar", function()
  emu.same(rtctime.epoch2cal(0),
    { year = 1970, mon = 1, day = 1, hour = 0, min = 0, sec = 0, wday = 5, yday = 1 })
  emu.same(rtctime.epoch2cal(951825599),
    { year = 2000, mon = 2, day = 29, hour = 11, min = 59, sec = 59, wday = 3, yday = 60 })
  emu.raises("bad argument #1 to 'epoch2cal' (wrong arg range)", function() rtctime.epoch2cal(-1) end)
end)

emu.test("argument errors use the firmware's texts", function()
  emu.raises("bad argument #1 to 'set' (number expected, got no value)", function() rtctime.set() end)
  emu.raises("unknown sleep option", rtctime.dsleep, 1000, 5)
  emu.raises("bad argument #2 to 'dsleep_aligned' (number expected, got no value)",
    function() rtctime.dsleep_aligned(1000) end)
end)
