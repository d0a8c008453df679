-- rtctime without --epoch, and across deep sleep and restart (second emulators with --boot).
local emu = require "emu"

emu.test("the time starts unset (0, 0) as on the chip; dsleep_aligned then refuses", function()
  emu.eq(rtctime.get(), 0)
  emu.eq(select(2, rtctime.get()), 0)
  emu.raises("time not available, unable to align", rtctime.dsleep_aligned, 1000000, 0)
end)

emu.test("3.0: set() without a time only sets the rate", function()
  local out, err, status = emu.run { args = { "--firmware=3" },
    script = "rtctime.set(nil, nil, 5) print(rtctime.get())" }
  emu.eq(status, 0, err)
  emu.eq(out, "0\t0\t5\n")
end)

emu.test("dsleep_aligned wakes on the boundary; the time and rtcmem live through it", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
local _, reason = node.bootreason()
if reason ~= 5 then
  rtcmem.write32(0, 42, -1)
  rtctime.dsleep_aligned(60000000, 0)
else
  print(rtctime.get())
  print(rtcmem.read32(0, 2))
end
]])
  local out, err, status = emu.run { args = { "--boot", "--fs", flash, "--epoch", "1000.5",
    "--run-for", "100" } }
  emu.eq(status, 0, err)
  emu.eq(out, "1020\t0\t0\n42\t-1\n")
end)

emu.test("rtctime.dsleep sleeps for its microseconds and the clock counts them", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
if select(2, node.bootreason()) ~= 5 then rtctime.dsleep(2500000) else print(rtctime.get()) end
]])
  local out, err, status = emu.run { args = { "--boot", "--fs", flash, "--epoch", "100",
    "--run-for", "10" } }
  emu.eq(status, 0, err)
  emu.eq(out, "102\t500000\t0\n")
end)
