-- node.task.post: the device's task queue (spec/node.md O2).
local emu = require "emu"

emu.test("the priorities are LOW 0, MEDIUM 1, HIGH 2", function()
  emu.eq(node.task.LOW_PRIORITY, 0)
  emu.eq(node.task.MEDIUM_PRIORITY, 1)
  emu.eq(node.task.HIGH_PRIORITY, 2)
end)

emu.async("O2 node.task.post(f) runs f(1) after the current callback", function(done)
  local ran_with
  node.task.post(function(...)
    ran_with = { ... }
    emu.check(function() emu.same(ran_with, { 1 }) end)
    done()
  end)
  emu.eq(ran_with, nil, "ran before the poster returned")
end)

emu.async("O2 node.task.post(HIGH_PRIORITY, f) runs f(2)", function(done)
  node.task.post(node.task.HIGH_PRIORITY, function(prio)
    emu.check(function() emu.eq(prio, 2) end)
    done()
  end)
end)

emu.async("node.task.post(LOW_PRIORITY, f) runs f(0)", function(done)
  node.task.post(node.task.LOW_PRIORITY, function(prio)
    emu.check(function() emu.eq(prio, 0) end)
    done()
  end)
end)

emu.test("O2 priority 3 raises invalid  priority (two spaces)", function()
  emu.raises("bad argument #1 to 'post' (invalid  priority)", function() node.task.post(3, function() end) end)
  emu.raises("bad argument #1 to 'post' (invalid  priority)", function() node.task.post(-1, function() end) end)
end)

-- 2.2.1's text; 3.0 checks with luaL_checktype (arg_errors_firmware3.lua).
emu.test("node.task.post needs a function", function()
  emu.raises("bad argument #1 to 'post' (invalid function)", function() node.task.post() end)
  emu.raises("bad argument #2 to 'post' (invalid function)", function() node.task.post(1) end)
  emu.raises("bad argument #1 to 'post' (invalid function)", function() node.task.post("f") end)
end)

emu.async("tasks run higher priority first, FIFO within a priority", function(done)
  local order = {}
  local function task(name) return function() order[#order + 1] = name end end
  node.task.post(node.task.LOW_PRIORITY, task("low 1"))
  node.task.post(node.task.MEDIUM_PRIORITY, task("medium 1"))
  node.task.post(node.task.HIGH_PRIORITY, task("high 1"))
  node.task.post(node.task.LOW_PRIORITY, task("low 2"))
  node.task.post(task("medium 2"))
  node.task.post(node.task.HIGH_PRIORITY, task("high 2"))
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.same(order, { "high 1", "high 2", "medium 1", "medium 2", "low 1", "low 2" })
    end)
    done()
  end)
end)

emu.async("a task posted from a task runs after the tasks of its priority already queued", function(done)
  local order = {}
  node.task.post(function()
    order[#order + 1] = "a"
    node.task.post(function() order[#order + 1] = "c" end)
  end)
  node.task.post(function() order[#order + 1] = "b" end)
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.same(order, { "a", "b", "c" }) end)
    done()
  end)
end)

emu.async("a high-priority task posted from a low one overtakes the remaining low ones", function(done)
  local order = {}
  node.task.post(node.task.LOW_PRIORITY, function()
    order[#order + 1] = "low 1"
    node.task.post(node.task.HIGH_PRIORITY, function() order[#order + 1] = "high" end)
  end)
  node.task.post(node.task.LOW_PRIORITY, function() order[#order + 1] = "low 2" end)
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.same(order, { "low 1", "high", "low 2" }) end)
    done()
  end)
end)

emu.async("tasks take no time on the clock", function(done)
  local t0 = tmr.now()
  local n = 0
  local function step()
    n = n + 1
    if n < 100 then node.task.post(step) return end
    emu.check(function() emu.eq(tmr.now(), t0) end)
    done()
  end
  node.task.post(step)
end)

emu.async("a posted function is kept alive by the queue, not by the script", function(done)
  do
    local payload = { value = 42 }
    node.task.post(function() emu.check(function() emu.eq(payload.value, 42) end) done() end)
  end
  collectgarbage("collect")
end)
