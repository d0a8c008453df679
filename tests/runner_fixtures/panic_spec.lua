-- args: --firmware=3
-- Fixture for tests/cli/test_runner.sh: errors in callbacks fail their case (3.x onerror).
local emu = require "emu"
emu.async("a PANIC in a receive callback", function(done)
  local port = emu.free_port()
  local server = net.createUDPSocket()
  server:listen(port)
  server:on("receive", function() error("boom in receive") end)
  local client = net.createUDPSocket()
  client:send(port, "127.0.0.1", "hi")
  _ = done
end)
emu.async("an error in a timer callback", function()
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("boom in timer") end)
end)
emu.async("node.setonerror still gets its errors", function(done)
  node.setonerror(function(msg)
    node.setonerror()
    emu.check(function() emu.contains(msg, "handled boom") end)
    done()
  end)
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function() error("handled boom") end)
end)
emu.test("runs after the errors", function() emu.eq(node.heap() > 0, true) end)
