-- i2c (app/modules/i2c.c): argument checks and texts, and the empty bus of a bare board:
-- no address is acknowledged, writes stop at the first byte, reads return the pull-ups' 0xff.
local emu = require "emu"

emu.test("constants of the 2.2.1 map: SLOW, TRANSMITTER, RECEIVER (FAST is commented out)", function()
  emu.eq(i2c.SLOW, 100000)
  emu.eq(i2c.TRANSMITTER, 0)
  emu.eq(i2c.RECEIVER, 1)
  emu.eq(i2c.FAST, nil)
  emu.eq(i2c.FASTPLUS, nil)
end)

emu.test("setup answers 100 kHz whatever speed is asked (the bit-banged driver's pace)", function()
  emu.eq(i2c.setup(0, 1, 2, i2c.SLOW), 100000)
  emu.eq(i2c.setup(0, 3, 4, 400000), 100000)
end)

emu.test("setup checks the bus, the pins and the speed, in the firmware's order", function()
  emu.raises("i2c 1 does not exist", function() i2c.setup(1, 1, 2, i2c.SLOW) end)
  emu.raises("i2c 1 does not exist", function() i2c.setup(1, 99, 2) end)
  emu.raises("gpio 13 does not exist", function() i2c.setup(0, 13, 2, i2c.SLOW) end)
  emu.raises("gpio 20 does not exist", function() i2c.setup(0, 1, 20, i2c.SLOW) end)
  emu.raises("no i2c for D0", function() i2c.setup(0, 0, 2, i2c.SLOW) end)
  emu.raises("no i2c for D0", function() i2c.setup(0, 1, 0, i2c.SLOW) end)
  emu.raises("bad argument #4 to 'setup' (number expected, got no value)", function() i2c.setup(0, 1, 2) end)
  emu.raises("wrong arg range", function() i2c.setup(0, 1, 2, 0) end)
  emu.raises("bad argument #2 to 'setup' (number expected, got string)", function() i2c.setup(0, "x", 2, 1) end)
end)

emu.test("an empty bus: the address is not acknowledged, nothing written, reads are 0xff", function()
  i2c.setup(0, 1, 2, i2c.SLOW)
  i2c.start(0)
  emu.eq(i2c.address(0, 0x76, i2c.TRANSMITTER), false)
  emu.eq(i2c.write(0, 0xD0), 0)
  i2c.stop(0)
  i2c.start(0)
  emu.eq(i2c.address(0, 0x76, i2c.RECEIVER), false)
  emu.eq(i2c.read(0, 3), "\255\255\255")
  i2c.stop(0)
end)

emu.test("address checks the range; write and read check their arguments", function()
  emu.raises("wrong arg range", function() i2c.address(0, 128, 0) end)
  emu.raises("wrong arg range", function() i2c.address(0, -1, 0) end)
  emu.raises("i2c 2 does not exist", function() i2c.address(2, 1, 0) end)
  emu.raises("bad argument #3 to 'address' (number expected, got no value)", function() i2c.address(0, 1) end)
  emu.raises("wrong arg type", function() i2c.write(0) end)
  emu.raises("wrong arg range", function() i2c.write(0, 256) end)
  emu.raises("wrong arg range", function() i2c.write(0, { -1 }) end)
  emu.eq(i2c.write(0, { 1, -1 }, 300), 0)  -- the first byte is not acknowledged: the rest is not looked at
  emu.raises("bad argument #-1 to 'write' (number expected, got string)", function() i2c.write(0, { "a" }) end)
  emu.raises("bad argument #2 to 'write' (string expected, got boolean)", function() i2c.write(0, true) end)
  emu.raises("bad argument #2 to 'read' (number expected, got no value)", function() i2c.read(0) end)
  emu.eq(i2c.read(0, 0), nil)
  emu.eq(select("#", i2c.read(0, 0)), 0)
  emu.raises("not enough memory", function() i2c.read(0, -1) end)
end)

emu.test("the firmware's profiles: 3.0 adds FAST/FASTPLUS and lets SCL sit on D0", function()
  local out, err, status = emu.run{ args = { "--firmware=3" }, script = [[
    print(i2c.FAST, i2c.FASTPLUS, i2c.setup(0, 1, 0, i2c.FASTPLUS))
    print(pcall(i2c.setup, 0, 0, 1, i2c.SLOW))
    print(pcall(i2c.setup, 3, 1, 2, i2c.SLOW))]] }
  emu.eq(status, 0, err)
  emu.eq(out, "400000\t1000000\t100000\nfalse\ti2c SDA on D0 is not supported\nfalse\ti2c 3 does not exist\n")
  out, err, status = emu.run{ args = { "--firmware=1" }, script = "print(i2c.SLOW, i2c.FAST, pcall(i2c.setup, 0, 1, 0, 1))" }
  emu.eq(status, 0, err)
  emu.eq(out, "100000\tnil\tfalse\tno i2c for D0\n")
end)
