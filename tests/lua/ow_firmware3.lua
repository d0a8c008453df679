-- args: --firmware=3
-- ow under 3.0: ow.set_timings changes the slots' timing; ow.search takes an alarm flag.
local emu = require "emu"

emu.test("set_timings: a slower reset takes longer; a non-number keeps a timing", function()
  ow.setup(3)
  ow.set_timings(960, nil, "x")
  local t0 = tmr.now()
  ow.reset(3)
  emu.eq(tmr.now() - t0, 2 + 960 + 70 + 410)
  ow.set_timings(480)
end)

emu.test("search takes the alarm flag and finds nothing on an empty bus", function()
  ow.setup(3)
  emu.eq(ow.search(3, 1), nil)
  emu.eq(ow.search(3), nil)
end)
