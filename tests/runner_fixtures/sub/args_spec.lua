-- args: --adc 700
-- Fixture for tests/cli/test_runner.sh: the first line's options reach the emulator, which runs
-- in this file's folder (the flash, --fs ., is that folder) under virtual time.
local emu = require "emu"
emu.test("the -- args: line is applied", function() emu.eq(adc.read(0), 700) end)
emu.test("the flash is the file's folder", function() emu.truthy(file.exists("test_plain.lua")) end)
emu.async("an hour passes on the virtual clock", function(done)
  local start = emu.clock()
  tmr.create():alarm(3600000, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.truthy(emu.clock() - start >= 3600, "clock") end)
    done()
  end)
end, 4000000)
