-- busted specs for ../app/sensor.lua, run inside the emulator:
--   cd examples/testing/busted
--   NODEMCU_EMU_OPTIONS="--host-libs --virtual-time --adc 700" busted
-- (.busted here sets lua = "nodemcu-emu", the specs' pattern and the app's module path; put the
-- emulator on PATH or give busted --lua=/path/to/nodemcu-emu.) busted itself passes the
-- emulator no options: NODEMCU_EMU_OPTIONS does (--host-libs: busted needs the host's io and
-- os; --virtual-time: a minute of samples takes milliseconds; --adc 700: what the ADC reads).
local emu = require "emu.busted"   -- first: busted's memory stays out of node.heap()
local sensor = require "sensor"

describe("the sensor app", function()
  it("has no average before the first sample", function()
    assert.is_nil(sensor.average())
  end)

  it("averages a sample every 10 s (a minute of virtual time in milliseconds)", function()
    local seen = 0
    local start = emu.now()
    local timer = sensor.start(10000, function() seen = seen + 1 end)
    emu.advance(60000)
    timer:unregister()
    assert.are.equal(6, seen)
    assert.are.equal(700, sensor.average())
    assert.are.equal(60000, emu.now() - start)
  end)

  it("serves the average over TCP, then closes the connection", function()
    local port = emu.free_port("tcp")
    local server = sensor.serve(port)
    local reply = ""
    emu.await(function(done)
      local client = net.createConnection(net.TCP, 0)
      client:on("connection", function(c) c:send("GET\n") end)
      client:on("receive", function(_, data) reply = reply .. data end)
      client:on("disconnection", function() done() end)
      client:connect(port, "127.0.0.1")
    end, 5000)
    server:close()
    assert.are.equal("avg=700\n", reply)
  end)

  it("sees the app's heap, not busted's", function()
    local before = node.heap()
    assert.is_true(before > 30000)          -- busted's own hundreds of KB are not counted
    local cache = {}
    for i = 1, 100 do cache[i] = string.rep("x", 100) .. i end
    assert.is_true(node.heap() < before - 10000)   -- the app's 10 KB are
  end)
end)
