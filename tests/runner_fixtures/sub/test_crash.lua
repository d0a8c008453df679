-- Fixture for tests/cli/test_runner.sh: the emulator ends in the middle of a case (as a crash
-- would); the runner fails that case with the exit status and stderr, and goes on.
local emu = require "emu"
emu.test("before the crash", function() end)
emu.test("ends the process", function()
  emu.exit(3)
end)
emu.test("never runs", function() end)
