-- args: --fs app --adc 700
-- Tests for app/sensor.lua. Run: build/nodemcu-emu --test examples/testing
-- The runner starts a fresh emulator for this file, in this folder, with --virtual-time and the
-- options above: --fs app makes app/ the flash (so require "sensor" finds app/sensor.lua) and
-- --adc 700 is what adc.read(0) samples.
local emu = require "emu"
local sensor = require "sensor"

emu.test("no average before the first sample", function()
  emu.eq(sensor.average(), nil)
end)

emu.async("an average every 10 s (a minute of virtual time takes milliseconds)", function(done)
  local seen, start = 0, emu.clock()
  local timer
  timer = sensor.start(10000, function(avg)
    seen = seen + 1
    emu.check(function() emu.eq(avg, 700, "average") end)
    if seen == 6 then
      timer:unregister()
      emu.check(function() emu.eq(emu.clock() - start, 60, "seconds on the clock") end)
      done()
    end
  end)
end, 120000)  -- the case's own timeout on the clock (default 60 s)

emu.async("the server answers with the average, then closes", function(done)
  local port = emu.free_port("tcp")
  local server = sensor.serve(port)
  local reply = ""
  local client = net.createConnection(net.TCP, 0)
  client:on("connection", function(c) c:send("GET\n") end)
  client:on("receive", function(_, data) reply = reply .. data end)
  client:on("disconnection", function()
    server:close()
    emu.check(function() emu.eq(reply, "avg=700\n") end)
    done()
  end)
  client:connect(port, "127.0.0.1")
end)
