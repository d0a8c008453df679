-- rtcmem: 128 words of RTC user memory (app/modules/rtcmem.c).
local emu = require "emu"

emu.test("write32 then read32, several words at once", function()
  rtcmem.write32(10, 1, 2, 3)
  emu.same({ rtcmem.read32(10, 3) }, { 1, 2, 3 })
  emu.eq(rtcmem.read32(11), 2)
end)

emu.test("words are 32-bit: 0xFFFFFFFF reads back -1 (the device's lua_Integer is 32 bits)", function()
  rtcmem.write32(0, 4294967295, -2)
  emu.same({ rtcmem.read32(0, 2) }, { -1, -2 })
end)

emu.test("reads stop at the end or before the start", function()
  emu.same({ rtcmem.read32(126, 5) }, { 0, 0 })
  emu.same({ rtcmem.read32(128) }, {})
  emu.same({ rtcmem.read32(-1) }, {})
end)

emu.test("writing past word 127: 'RTC mem would overrun'", function()
  emu.raises("bad argument #1 to 'write32' (RTC mem would overrun)", function() rtcmem.write32(127, 1, 2) end)
  emu.raises("bad argument #1 to 'read32' (number expected, got no value)", function() rtcmem.read32() end)
end)

emu.test("the words survive node.restart", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
if select(2, node.bootreason()) == 0 then rtcmem.write32(5, 1234) node.restart()
else print(rtcmem.read32(5)) end
]])
  local out, err, status = emu.run { args = { "--boot", "--fs", flash, "--run-for", "10" } }
  emu.eq(status, 0, err)
  emu.eq(out, "1234\n")
end)
