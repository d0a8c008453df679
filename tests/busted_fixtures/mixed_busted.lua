-- A busted spec with failures of every kind, run by tests/cli/busted.sh inside the emulator:
-- the run must report each one, go on to the next test, and end with status 1 and no noise.
local emu = require "emu.busted"

describe("a mixed spec", function()
  it("passes", function() assert.are.equal(2, 1 + 1) end)

  it("fails an assertion", function() assert.are.equal(3, 1 + 1) end)

  it("fails on an error in a net callback (a PANIC on the device)", function()
    emu.await(function(done)
      -- a port chosen here: under --firmware=1 (this run's profile) servers have no getaddr
      local port = require("emu").free_port("tcp")
      local srv = net.createServer(net.TCP, 30)
      srv:listen(port, function(c) c:on("receive", function() error("boom in receive") end) end)
      local cl = net.createConnection(net.TCP, 0)
      cl:on("connection", function(s) s:send("x") end)
      cl:connect(port, "127.0.0.1")
    end, 5000)
  end)

  it("fails when done(message) is called from a timer", function()
    emu.await(function(done)
      tmr.create():alarm(30000, tmr.ALARM_SINGLE, function() done("no answer in 30 s") end)
    end)
  end)

  it("fails when done is never called, after the timeout on the clock", function()
    emu.await(function() end, 90000)
  end)

  it("runs after the failures, with the firmware profile from the environment", function()
    print("profile has tmr.alarm: " .. tostring(tmr.alarm ~= nil))
    print("uptime " .. tmr.time() .. " s")
  end)
end)
