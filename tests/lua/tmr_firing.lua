-- tmr: what happens when timers fire, and garbage collection (spec/tmr.md T6-T8).
local emu = require "emu"

emu.async("T6 ALARM_SINGLE runs f(t) once; inside it state() is nil and start() returns false", function(done)
  local t = tmr.create()
  local calls = 0
  t:alarm(20, tmr.ALARM_SINGLE, function(arg)
    calls = calls + 1
    emu.check(function()
      emu.eq(arg, t, "the callback's argument")
      emu.eq(select("#", arg:state()), 1)
      emu.eq(arg:state(), nil, "state() inside")
      emu.eq(arg:start(), false, "start() inside")
    end)
  end)
  tmr.create():alarm(200, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.eq(calls, 1, "calls")
      emu.eq(t:state(), nil, "state() afterwards")
    end)
    done()
  end)
end)

emu.async("an ALARM_SINGLE timer can be re-armed from its callback with alarm()", function(done)
  local t = tmr.create()
  local calls = 0
  local function again(timer)
    calls = calls + 1
    if calls < 3 then timer:alarm(10, tmr.ALARM_SINGLE, again) else done() end
  end
  t:alarm(10, tmr.ALARM_SINGLE, again)
end)

emu.async("T7 ALARM_SEMI: inside the callback start() returns true and re-arms", function(done)
  local t = tmr.create()
  local t0 = tmr.now()
  local times = {}
  t:alarm(40, tmr.ALARM_SEMI, function(timer)
    times[#times + 1] = (tmr.now() - t0) / 1000
    emu.check(function()
      local running, mode = timer:state()
      emu.eq(running, false, "running inside")
      emu.eq(mode, tmr.ALARM_SEMI, "mode inside")
    end)
    if #times < 3 then
      emu.check(function() emu.eq(timer:start(), true, "start() inside") end)
    else
      emu.check(function() emu.same(times, { 40, 80, 120 }) end)
      done()
    end
  end)
end)

emu.async("an ALARM_SEMI timer that is not restarted stays registered and idle", function(done)
  local t = tmr.create()
  local calls = 0
  t:alarm(10, tmr.ALARM_SEMI, function() calls = calls + 1 end)
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.eq(calls, 1)
      local running, mode = t:state()
      emu.eq(running, false)
      emu.eq(mode, tmr.ALARM_SEMI)
      emu.eq(t:start(), true, "start() afterwards")
    end)
    t:unregister()
    done()
  end)
end)

emu.async("ALARM_AUTO fires every interval until stopped", function(done)
  local t = tmr.create()
  local t0 = tmr.now()
  local times = {}
  t:alarm(25, tmr.ALARM_AUTO, function(timer)
    times[#times + 1] = (tmr.now() - t0) / 1000
    if #times == 4 then
      emu.check(function()
        emu.eq(timer:stop(), true)
        emu.same(times, { 25, 50, 75, 100 })
      end)
      done()
    end
  end)
end)

emu.async("ALARM_AUTO does not drift when the callback takes time", function(done)
  local t = tmr.create()
  local t0 = tmr.now()
  local times = {}
  t:alarm(100, tmr.ALARM_AUTO, function(timer)
    times[#times + 1] = (tmr.now() - t0) / 1000
    tmr.delay(30000)  -- 30 ms of Lua work in every call
    if #times == 3 then
      timer:unregister()
      emu.check(function() emu.same(times, { 100, 200, 300 }) end)
      done()
    end
  end)
end)

emu.async("timers due at the same time fire in the order they were started", function(done)
  local order = {}
  for i = 1, 5 do
    tmr.create():alarm(50, tmr.ALARM_SINGLE, function() order[#order + 1] = i end)
  end
  tmr.create():alarm(51, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.same(order, { 1, 2, 3, 4, 5 }) end)
    done()
  end)
end)

emu.async("an earlier deadline fires first whatever the creation order", function(done)
  local order = {}
  tmr.create():alarm(30, tmr.ALARM_SINGLE, function() order[#order + 1] = "30" end)
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function() order[#order + 1] = "10" end)
  tmr.create():alarm(20, tmr.ALARM_SINGLE, function() order[#order + 1] = "20" end)
  tmr.create():alarm(40, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.same(order, { "10", "20", "30" }) end)
    done()
  end)
end)

emu.async("re-registering a running timer stops it; it fires only after start", function(done)
  local t = tmr.create()
  local which
  t:alarm(10, tmr.ALARM_SINGLE, function() which = "old" end)
  t:register(20, tmr.ALARM_SINGLE, function() which = "new" end)
  emu.eq(t:state(), false, "running after register")
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(which, nil, "nothing fired") end)
    t:start()
    tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
      emu.check(function() emu.eq(which, "new") end)
      done()
    end)
  end)
end)

emu.async("alarm() on a running timer re-registers and restarts it", function(done)
  local t = tmr.create()
  local t0 = tmr.now()
  t:alarm(100, tmr.ALARM_SINGLE, function() emu.check(error, "the first callback ran") end)
  emu.eq(t:alarm(30, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(tmr.now() - t0, 30000) end)
    tmr.create():alarm(200, tmr.ALARM_SINGLE, function() done() end)
  end), true)
end)

-- Weakly held objects disappear once collected.
local function weak(obj) return setmetatable({ obj }, { __mode = "v" }) end

emu.async("T8 a running AUTO timer survives collectgarbage() with no references left", function(done)
  local ticks = 0
  local probe
  do
    local t = tmr.create()
    t:alarm(10, tmr.ALARM_AUTO, function(timer)
      ticks = ticks + 1
      if ticks == 5 then timer:unregister() end
    end)
    probe = weak(t)
  end
  collectgarbage("collect")
  collectgarbage("collect")
  emu.truthy(probe[1], "the running timer is still there")
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(ticks, 5, "ticks") end)
    done()
  end)
end)

emu.async("T8 an idle timer is unregistered by GC and never fires", function(done)
  local fired = false
  local probe
  do
    local t = tmr.create()
    t:register(10, tmr.ALARM_SINGLE, function() fired = true end)
    probe = weak(t)
  end
  collectgarbage("collect")
  collectgarbage("collect")
  emu.eq(probe[1], nil, "the idle timer was collected")
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(fired, false) end)
    done()
  end)
end)

emu.async("T8 a stopped timer is collectable", function(done)
  local probe
  do
    local t = tmr.create()
    t:alarm(10, tmr.ALARM_AUTO, function() end)
    t:stop()
    probe = weak(t)
  end
  collectgarbage("collect")
  collectgarbage("collect")
  emu.eq(probe[1], nil)
  done()
end)

emu.async("T8 an ALARM_SINGLE timer fires once with no references and is then collectable", function(done)
  local fired = 0
  local probe
  do
    local t = tmr.create()
    t:alarm(10, tmr.ALARM_SINGLE, function() fired = fired + 1 end)
    probe = weak(t)
  end
  collectgarbage("collect")
  emu.truthy(probe[1], "anchored while armed")
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
    collectgarbage("collect")
    collectgarbage("collect")
    emu.check(function()
      emu.eq(fired, 1, "fired")
      emu.eq(probe[1], nil, "collected after firing")
    end)
    done()
  end)
end)

emu.async("T8 an ALARM_SEMI timer is collectable after firing unless restarted", function(done)
  local probe
  do
    local t = tmr.create()
    t:alarm(10, tmr.ALARM_SEMI, function() end)
    probe = weak(t)
  end
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
    collectgarbage("collect")
    collectgarbage("collect")
    emu.check(function() emu.eq(probe[1], nil) end)
    done()
  end)
end)

emu.async("a timer can unregister itself inside its own callback", function(done)
  local t = tmr.create()
  local calls = 0
  t:alarm(10, tmr.ALARM_AUTO, function(timer)
    calls = calls + 1
    timer:unregister()
    collectgarbage("collect")  -- the object may go now; the emulator must not touch it again
  end)
  t = nil
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(calls, 1) end)
    done()
  end)
end)
