-- net TCP: limits and lifetimes (spec net.md 0.5, 6, 10).
local emu = require "emu"

emu.async("10 000 connect/close cycles leave no native object behind", function(done)
  local before = emu.live_objects()
  local srv = net.createServer(net.TCP, 30)
  srv:listen(0, function(c)
    c:on("receive", function(s) s:send("k", function(x) x:close() end) end)
  end)
  local port = srv:getaddr()
  local cycles, target = 0, 10000
  local function one()
    local cl = net.createConnection()
    cl:on("connection", function(s) s:send("x") end)
    cl:on("disconnection", function(_, err)
      cycles = cycles + 1
      if cycles < target then return one() end
      srv:close()
      srv = nil
      -- let the last closes finish, then collect
      tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
        collectgarbage()
        collectgarbage()
        emu.check(function() emu.eq(emu.live_objects(), before, "live native objects") end)
        done()
      end)
    end)
    cl:connect(port, "127.0.0.1")
  end
  one()
end, 600000)

emu.async("limit: connections past five wait until others close", function(done)
  local accepted = {}
  local srv = net.createServer(net.TCP, 30)
  srv:listen(0, function(c)
    accepted[#accepted + 1] = c
    c:on("receive", function() end)
  end)
  local port = srv:getaddr()
  local clients, connected = {}, 0
  for i = 1, 6 do
    local cl = net.createConnection()
    cl:on("connection", function() connected = connected + 1 end)
    cl:connect(port, "127.0.0.1")
    clients[i] = cl
  end
  -- The six client sockets are established connections of this device too (outgoing connects
  -- are never refused, and count): the server side stops at the limit of five in all.
  tmr.create():alarm(500, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.eq(connected, 6)
      emu.truthy(#accepted < 6, "accepted " .. #accepted .. " of 6")
    end)
    local before = #accepted
    -- closing connections frees slots: the waiting peers are accepted
    for i = 1, 3 do clients[i]:close() end
    tmr.create():alarm(500, tmr.ALARM_SINGLE, function()
      emu.check(function() emu.truthy(#accepted > before, "a waiting peer was accepted") end)
      for _, cl in ipairs(clients) do pcall(cl.close, cl) end
      for _, c in ipairs(accepted) do pcall(c.close, c) end
      srv:close()
      done()
    end)
  end)
end)
