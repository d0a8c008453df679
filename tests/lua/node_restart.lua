-- node.restart and deep sleep: the device reboots (spec/node.md O4). Run as a second emulator
-- with --boot, since a reboot ends this Lua state.
local emu = require "emu"

-- An init.lua that restarts once: the second boot's reason is 4 (software restart).
local init = [[
local _, reason = node.bootreason()
print("boot, reason " .. reason .. ", uptime " .. tmr.now())
if reason == 0 then
  _G.survivor = "from the first boot"
  tmr.create():alarm(500, tmr.ALARM_AUTO, function() print("old timer") end)
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
    node.task.post(function() print("old task") end)
    node.restart()
    print("restart() returned")  -- the current callback runs to its end
  end)
else
  print("global from the first boot: " .. tostring(_G.survivor))
end
]]

emu.test("O4 node.restart() under --boot runs init.lua again; old timers and tasks vanish", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", init)
  local out, err, status = emu.run { args = { "--boot", "--fs", flash } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, table.concat {
    "boot, reason 0, uptime 0\n",
    "restart() returned\n",
    "boot, reason 4, uptime 0\n",
    "global from the first boot: nil\n",
  })
end)

emu.test("O4 node.restart() without --boot ends the emulator with status 0", function()
  local out, err, status = emu.run { script = [[
    tmr.create():alarm(1000, tmr.ALARM_AUTO, function() print("tick") end)
    tmr.create():alarm(2500, tmr.ALARM_SINGLE, function() node.restart() print("still in the callback") end)
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "tick\ntick\nstill in the callback\n")
end)

emu.test("node.restart() in the main chunk lets the chunk finish, then reboots", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
    local _, reason = node.bootreason()
    print("boot " .. reason)
    if reason == 0 then node.restart() print("after restart") end
  ]])
  local out, _, status = emu.run { args = { "--boot", "--fs", flash } }
  emu.eq(status, 0)
  emu.eq(out, "boot 0\nafter restart\nboot 4\n")
end)

emu.test("--boot without init.lua reports it like the firmware and fails (exit status 1)", function()
  local flash = emu.tmpdir()
  local out, err, status = emu.run { args = { "--boot", "--fs", flash } }
  emu.eq(status, 1)
  emu.eq(out, "lua: cannot open init.lua\n")
  emu.contains(err, "nodemcu-emu: --boot: no init.lua in the flash")
end)

emu.test("--boot -i without init.lua stays at the prompt, as the device does", function()
  local flash = emu.tmpdir()
  local out, _, status = emu.run { args = { "--boot", "-i", "--fs", flash }, stdin = "print('at the prompt')\n" }
  emu.eq(status, 0)
  emu.contains(out, "lua: cannot open init.lua\n")
  emu.contains(out, "at the prompt\n")
end)

emu.test("node.dsleep(us) under --boot wakes the device after us with reason 5", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
    local _, reason = node.bootreason()
    print("boot " .. reason)
    if reason == 0 then
      tmr.create():alarm(10, tmr.ALARM_SINGLE, function() print("not reached") end)
      node.dsleep(3000000)
    end
  ]])
  local out, _, status = emu.run { args = { "--boot", "--fs", flash, "--run-for", "10" } }
  emu.eq(status, 0)
  emu.eq(out, "boot 0\nboot 5\n")
end)

emu.test("node.dsleep(us) without --boot ends the emulator with status 0", function()
  local out, _, status = emu.run { script = [[
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function() print("not reached") end)
    node.dsleep(1000000)
    print("dsleep returned")
  ]] }
  emu.eq(status, 0)
  emu.eq(out, "dsleep returned\n")
end)

emu.test("tmr.softwd(s) restarts the device when not re-armed within s seconds", function()
  local out, err, status = emu.run { args = { "--on-error=restart", "--run-for", "6" }, script = [[
    print("boot " .. select(2, node.bootreason()) .. " at " .. tmr.now())
    if select(2, node.bootreason()) == 0 then tmr.softwd(3) end
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  -- The watchdog goes below 0 on its 4th tick; tmr.c restarts with system_restart() (reason 4).
  emu.eq(out, "boot 0 at 0\nboot 4 at 0\n")
  emu.contains(err, "tmr.softwd expired")
end)

emu.test("tmr.softwd re-armed in time never fires; a negative value disables it", function()
  local out, err, status = emu.run { script = [[
    tmr.softwd(2)
    local n = 0
    tmr.create():alarm(1000, tmr.ALARM_AUTO, function(t)
      n = n + 1
      tmr.softwd(2)
      if n == 6 then tmr.softwd(-1) t:unregister() print("fed " .. n .. " times") end
    end)
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "fed 6 times\n")
end)

emu.test("the watchdog of a boot does not survive a restart", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
    local _, reason = node.bootreason()
    print("boot " .. reason)
    if reason == 0 then
      tmr.softwd(2)
      tmr.create():alarm(500, tmr.ALARM_SINGLE, function() node.restart() end)
    else
      tmr.create():alarm(10000, tmr.ALARM_SINGLE, function() print("second boot lived 10 s") end)
    end
  ]])
  local out, err, status = emu.run { args = { "--boot", "--fs", flash } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "boot 0\nboot 4\nsecond boot lived 10 s\n")
end)

emu.test("a pending error reboot does not survive an earlier node.restart()", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
    local _, reason = node.bootreason()
    print("boot " .. reason)
    if reason == 0 then
      node.setonerror()  -- the default handler: restart in 2 s
      tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("boom") end)
      tmr.create():alarm(1000, tmr.ALARM_SINGLE, function() node.restart() end)
    else
      tmr.create():alarm(5000, tmr.ALARM_SINGLE, function() print("second boot lived 5 s") end)
    end
  ]])
  local out, err, status = emu.run { args = { "--boot", "--fs", flash, "--on-error=restart", "--firmware=3" } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "boot 0\nboot 4\nsecond boot lived 5 s\n")
end)

emu.test("after a reboot for an exception node.bootreason() returns 8 values (2, 2, 0 x 6)", function()
  local out, _, status = emu.run { args = { "--on-error=restart", "--run-for", "1", "--firmware=3" }, script = [[
    local r = { node.bootreason() }
    print(#r .. ": " .. table.concat(r, " "))
    if r[2] == 0 then
      node.setonerror(function() error("the handler fails too") end)  -- fatal: a reboot at once
      tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("boom") end)
    end
  ]] }
  emu.eq(status, 0)
  emu.eq(out, "2: 1 0\n8: 2 2 0 0 0 0 0 0\n")
end)

emu.test("node.restart() reports reason 4 on the next boot", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
    local r = { node.bootreason() }
    print(table.concat(r, " "))
    if r[2] == 0 then node.restart() end
  ]])
  local out, _, status = emu.run { args = { "--boot", "--fs", flash } }
  emu.eq(status, 0)
  emu.eq(out, "1 0\n2 4\n")
end)

emu.test("a second shutdown in the same callback (dsleep twice, restart then dsleep) is ignored", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
    local _, reason = node.bootreason()
    print("boot " .. reason)
    if reason == 0 then node.dsleep(1000000) node.dsleep(1000000) end
  ]])
  local out, err, status = emu.run { args = { "--boot", "--fs", flash } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "boot 0\nboot 5\n")
  emu.write(flash .. "/init.lua", [[
    local _, reason = node.bootreason()
    print("boot " .. reason)
    if reason == 0 then node.restart() node.dsleep(1000000) end
  ]])
  out, err, status = emu.run { args = { "--boot", "--fs", flash } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "boot 0\nboot 4\n")
end)
