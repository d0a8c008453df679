-- Fixture for tests/cli/test_runner.sh: one case fails, the next still runs.
local emu = require "emu"
print("what the file printed before it failed")
emu.test("a # in a name & <xml>", function() emu.eq(2 + 2, 5, "sum") end)
emu.test("runs after the failure", function() emu.truthy(true) end)
