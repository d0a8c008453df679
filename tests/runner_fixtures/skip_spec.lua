-- Fixture for tests/cli/test_runner.sh: every case skipped (the child exits 77).
local emu = require "emu"
emu.skip("multicast delivery", "no multicast here")
