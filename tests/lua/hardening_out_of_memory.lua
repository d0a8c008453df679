-- hardening: running out of the Lua heap is survivable. The firmware's emergency GC collects
-- and retries inside the failing allocation; the emulator collects where the error is caught
-- (pcall, xpcall, its own protected calls), when whatever the failed code held is garbage.
local emu = require "emu"

local fill = "local t = {} while true do t[#t + 1] = {} end"

emu.test("after pcall catches 'not enough memory', the script carries on", function()
  local out, err, status = emu.run { args = { "--heap", "200000" }, script =
    "local ok, e = pcall(function() " .. fill .. " end) print('recovered', ok, e)" }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "recovered\tfalse\tnot enough memory\n")
end)

emu.test("after xpcall catches it (Lua 5.1 calls no handler for a memory error), the script carries on", function()
  local out, err, status = emu.run { args = { "--heap", "200000" }, script =
    "local ok, e = xpcall(function() " .. fill .. " end, function(m) return 'handled: ' .. m end) " ..
    "print('recovered', ok, e, #string.rep('x', 50000))" }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "recovered\tfalse\tnot enough memory\t50000\n")
end)

emu.test("the heap is free again: the same exhaustion can be caught many times", function()
  local out, err, status = emu.run { args = { "--heap", "200000" }, script =
    "for i = 1, 5 do assert(not pcall(function() " .. fill .. " end)) end print('five times')" }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "five times\n")
end)

emu.test("a timer callback that ran out of memory does not take the next callback with it", function()
  local out, err, status = emu.run { args = { "--heap", "200000", "--on-error=continue" }, script = [[
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function() ]] .. fill .. [[ end)
    tmr.create():alarm(20, tmr.ALARM_SINGLE, function() print("next", #string.rep("y", 50000)) end)
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.contains(err, "not enough memory")
  emu.eq(out, "next\t50000\n")
end)
