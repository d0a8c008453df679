-- After an error, one "nodemcu-emu: hint:" line when the script used a name another firmware
-- profile has (tmr.alarm under 2.x) or a firmware module the emulator lacks (i2c).
local emu = require "emu"

emu.test("tmr.alarm(id, ...) under --firmware=2 is followed by a hint to --firmware=1", function()
  local _, err, status = emu.run { script = "tmr.alarm(0, 100, tmr.ALARM_SINGLE, print)" }
  emu.eq(status, 1, "exit status")
  emu.contains(err, "attempt to call field 'alarm' (a nil value)")
  emu.contains(err, "\nnodemcu-emu: hint: tmr.alarm(id, …) is the 1.x API — run with --firmware=1, or use tmr.create()\n")
  local _, hints = err:gsub("hint:", "")
  emu.eq(hints, 1, "one hint line")
end)

emu.test("the same call under --firmware=1 works and gives no hint", function()
  local out, err, status = emu.run { args = { "--firmware=1" },
    script = "tmr.alarm(0, 100, tmr.ALARM_SINGLE, function(id) print('fired', id) end)" }
  emu.eq(status, 0)
  emu.eq(out, "fired\t0\n")
  emu.lacks(err, "hint:")
end)

emu.test("a firmware module the emulator lacks says so", function()
  local _, err = emu.run { script = "mdns.register(\"x\")" }
  emu.contains(err, "attempt to index global 'mdns' (a nil value)")
  emu.contains(err, "nodemcu-emu: hint: the mdns module is not emulated yet\n")
end)

emu.test("an error in a timer callback gets its hint after the traceback", function()
  local _, err = emu.run { script = "tmr.create():alarm(10, tmr.ALARM_SINGLE, function() cjson.encode({}) end)" }
  -- 2.2.1 calls timers with lua_call: a PANIC, its message in parentheses.
  emu.contains(err, "attempt to index global 'cjson' (a nil value))\nstack traceback:")
  emu.contains(err, "nodemcu-emu: hint: cjson is the 1.x JSON module — run with --firmware=1, or use sjson\n")
end)

emu.test("a nil name unknown to the table, or present in this profile, gives no hint", function()
  local _, err = emu.run { script = "local t = {} t.nothing()" }
  emu.contains(err, "attempt to call field 'nothing' (a nil value)")
  emu.lacks(err, "hint:")
  _, err = emu.run { args = { "--firmware=1" }, script = "local t = {} t.alarm()" }
  emu.lacks(err, "hint:")
end)

emu.test("node.setonerror and tmr.ccount under --firmware=2 hint at --firmware=3", function()
  local _, err = emu.run { script = "node.setonerror(print)" }
  emu.contains(err, "nodemcu-emu: hint: node.setonerror() came with 3.x — run with --firmware=3\n")
  _, err = emu.run { script = "print(tmr.ccount())" }
  emu.contains(err, "nodemcu-emu: hint: tmr.ccount() came with 3.x — run with --firmware=3\n")
  _, err = emu.run { script = "local x = node.LFS.get('a')" }
  emu.contains(err, "nodemcu-emu: hint: node.LFS came with 3.x — run with --firmware=3\n")
end)

emu.test("node.random under --firmware=1 hints at --firmware=2", function()
  local _, err = emu.run { args = { "--firmware=1" }, script = "print(node.random(6))" }
  emu.contains(err, "nodemcu-emu: hint: node.random() came with 2.x — run with --firmware=2\n")
end)
