-- gpio.trig: interrupts from pins driven with emu_gpio.drive. Callbacks get (level, when,
-- eventcount), run as a high-priority task (gpio.c; errors: tests/lua/errors_onerror_firmware3.lua).
local emu = require "emu"

local function after(ms, fn)
  tmr.create():alarm(ms, tmr.ALARM_SINGLE, function() emu.check(fn) end)
end

emu.async("a falling edge calls back with level 0 and the time of the edge", function(done)
  gpio.mode(1, gpio.INT, gpio.PULLUP)
  local calls = {}
  gpio.trig(1, "down", function(level, when, count) calls[#calls + 1] = { level, when, count } end)
  after(5, function() emu_gpio.drive(1, 0) end)
  after(10, function()
    emu.eq(#calls, 1)
    emu.eq(calls[1][1], 0)
    emu.eq(calls[1][2], 5000, "tmr.now() of the edge")
    emu.eq(calls[1][3], 1)
    emu_gpio.drive(1, 1)
  end)
  after(20, function()
    emu.eq(#calls, 1, "a rising edge does not trigger 'down'")
    gpio.trig(1, "none")
    emu_gpio.drive(1, nil)
    done()
  end)
end)

emu.async("edges before the task runs are counted: one callback with eventcount", function(done)
  gpio.mode(2, gpio.INT)
  local calls = {}
  gpio.trig(2, "both", function(level, when, count) calls[#calls + 1] = { level, count } end)
  emu_gpio.drive(2, 1)
  emu_gpio.drive(2, 0)
  emu_gpio.drive(2, 1)
  emu.eq(#calls, 0, "nothing runs inside the driving code")
  after(1, function()
    emu.same(calls, { { 1, 3 } }, "level of the first edge, three edges")
    gpio.trig(2, "none")
    emu_gpio.drive(2, nil)
    done()
  end)
end)

emu.async("'up' ignores falling edges; 'both' sees each edge", function(done)
  gpio.mode(3, gpio.INT)
  local ups, boths = 0, 0
  gpio.trig(3, "up", function() ups = ups + 1 end)
  gpio.mode(4, gpio.INT)
  gpio.trig(4, "both", function() boths = boths + 1 end)
  local level, toggles = 0, 0
  local t = tmr.create()
  t:alarm(1, tmr.ALARM_AUTO, function()
    level = 1 - level
    emu_gpio.drive(3, level)
    emu_gpio.drive(4, level)
    toggles = toggles + 1
    if toggles == 10 then t:unregister() end
  end)
  after(20, function()
    emu.eq(ups, 5)
    emu.eq(boths, 10)
    gpio.trig(3, "none")
    gpio.trig(4, "none")
    done()
  end)
end)

emu.async("a 'low' level trigger fires at once if the pin is low, and again while it stays low", function(done)
  gpio.mode(5, gpio.INT)
  emu_gpio.drive(5, 0)
  local n = 0
  gpio.trig(5, "low", function(level)
    n = n + 1
    emu.check(function() emu.eq(level, 0) end)
  end)
  after(5, function()
    emu.eq(n > 5, true, "repeated while low, got " .. n)
    emu_gpio.drive(5, 1)
  end)
  after(10, function()
    local seen = n
    after(10, function()
      emu.eq(n, seen, "quiet once high")
      gpio.trig(5, "none")
      emu_gpio.drive(5, nil)
      done()
    end)
  end)
end)

emu.async("switching the trigger type in the callback follows a pulse's edges", function(done)
  gpio.mode(6, gpio.INT)
  local widths, start = {}, nil
  local function cb(level, when)
    if level == gpio.HIGH then
      start = when
      gpio.trig(6, "down")
    else
      widths[#widths + 1] = when - start
      gpio.trig(6, "up")
    end
  end
  gpio.trig(6, "up", cb)
  after(2, function() emu_gpio.drive(6, 1) end)
  after(9, function() emu_gpio.drive(6, 0) end)
  after(12, function() emu_gpio.drive(6, 1) end)
  after(15, function() emu_gpio.drive(6, 0) end)
  after(20, function()
    emu.same(widths, { 7000, 3000 })
    gpio.trig(6, "none")
    done()
  end)
end)

emu.test("trig checks the pin, the type and the callback", function()
  emu.raises("bad argument #1 to 'trig' (Invalid interrupt pin)", function() gpio.trig(0, "up", print) end)
  emu.raises("bad argument #1 to 'trig' (Invalid interrupt pin)", function() gpio.trig(13, "up", print) end)
  emu.raises("bad argument #2 to 'trig' (invalid option 'rising')", function() gpio.trig(1, "rising", print) end)
  emu.raises("bad argument #3 to 'trig' (invalid callback type)", function() gpio.trig(1, "up") end)
  emu.raises("bad argument #3 to 'trig' (invalid callback type)", function() gpio.trig(1, "up", 5) end)
end)

emu.async("trig(pin, type) without a function keeps the previous callback", function(done)
  gpio.mode(7, gpio.INT)
  local got = {}
  gpio.trig(7, "up", function(level) got[#got + 1] = level end)
  gpio.trig(7, "down")
  emu_gpio.drive(7, 1)
  emu_gpio.drive(7, 0)
  after(1, function()
    emu.same(got, { 0 })
    gpio.trig(7, "none")
    done()
  end)
end)

emu.async("gpio.mode to a non-interrupt mode drops the callback", function(done)
  gpio.mode(8, gpio.INT)
  local n = 0
  gpio.trig(8, "both", function() n = n + 1 end)
  gpio.mode(8, gpio.INPUT)
  emu_gpio.drive(8, 1)
  after(1, function()
    emu.eq(n, 0)
    emu_gpio.drive(8, nil)
    done()
  end)
end)
