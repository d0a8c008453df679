-- net TCP: hold() closes the window so the peer is eventually blocked; unhold() loses nothing.
local emu = require "emu"

emu.async("N23 a held receiver blocks the sender; unhold() delivers every byte", function(done)
  local chunk = string.rep("h", 2920)
  local received, sent_calls, stalled_at = 0, 0, nil
  local held
  local srv = net.createServer(net.TCP, 300)
  srv:listen(0, function(c)
    held = c
    c:hold()
    c:on("receive", function(_, d) received = received + #d end)
  end)
  local port = srv:getaddr()
  local cl = net.createConnection()
  cl:on("connection", function(s) s:send(chunk) end)
  cl:on("sent", function(s)
    sent_calls = sent_calls + 1
    if stalled_at == nil then s:send(chunk) end
  end)
  -- Under virtual time a timer fires only once nothing else moves: the sender is blocked.
  tmr.create():alarm(1000, tmr.ALARM_SINGLE, function()
    stalled_at = sent_calls
    emu.check(function()
      emu.eq(received, 0, "bytes delivered while held")
      emu.truthy(sent_calls > 10, "the host took some data first (" .. sent_calls .. " sends)")
    end)
    tmr.create():alarm(1000, tmr.ALARM_SINGLE, function()
      emu.check(function() emu.eq(sent_calls, stalled_at, "sends completed while held") end)
      local expected = (stalled_at + 1) * #chunk
      held:unhold()
      tmr.create():alarm(1000, tmr.ALARM_SINGLE, function()
        emu.check(function() emu.eq(received, expected, "bytes after unhold") end)
        cl:close()
        srv:close()
        done()
      end)
    end)
  end)
  cl:connect(port, "127.0.0.1")
end, 600000)
