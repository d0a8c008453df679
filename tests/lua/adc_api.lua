-- adc: the one ADC channel (adc.c). By default it samples the TOUT pin (--adc N sets the
-- value, 512 unless given); --adc vdd33 boots with it measuring the supply instead.
local emu = require "emu"

emu.test("INIT_ADC is 0x00 and INIT_VDD33 is 0xff", function()
  emu.eq(adc.INIT_ADC, 0)
  emu.eq(adc.INIT_VDD33, 255)
end)

emu.test("adc.read(0) samples the pin: 512 by default", function()
  emu.eq(adc.read(0), 512)
end)

emu.test("in pin mode readvdd33 returns 65535, as the SDK does", function()
  emu.eq(adc.readvdd33(), 65535)
end)

emu.test("adc.read checks the channel", function()
  emu.raises("adc 1 does not exist", function() adc.read(1) end)
  emu.raises("bad argument #1 to 'read' (number expected, got no value)", function() adc.read() end)
end)

emu.test("force_init_mode checks the mode and answers false (the init data is --adc's)", function()
  emu.raises("bad argument #1 to 'force_init_mode' (Invalid mode)", function() adc.force_init_mode(1) end)
  emu.eq(adc.force_init_mode(adc.INIT_ADC), false)
end)

emu.test("--adc N sets what the pin reads", function()
  local out, err, status = emu.run({ args = { "--adc", "1024" }, script = "print(adc.read(0))" })
  emu.eq(status, 0, err)
  emu.eq(out, "1024\n")
end)

emu.test("--adc vdd33: readvdd33 is 3300 mV and read returns 65535", function()
  local out, err, status = emu.run({ args = { "--adc", "vdd33" }, script = "print(adc.read(0), adc.readvdd33())" })
  emu.eq(status, 0, err)
  emu.eq(out, "65535\t3300\n")
end)

emu.test("asking force_init_mode for the other mode says how to get it", function()
  local out, err, status = emu.run({ script = "print(adc.force_init_mode(adc.INIT_VDD33))" })
  emu.eq(status, 0, err)
  emu.eq(out, "false\n")
  emu.contains(err, "run with --adc vdd33")
end)

emu.test("--adc rejects values outside 0..1024", function()
  local _, err, status = emu.run({ args = { "--adc", "1025" }, script = "" })
  emu.eq(status ~= 0, true)
  emu.contains(err, "--adc must be 0..1024 or vdd33")
end)
