-- net.udpsocket lifetime and errors in callbacks (spec net.md 2.3, 6; checklist N22, N27).
local emu = require "emu"

local function udp() return net.createUDPSocket() end

emu.async("N22 a listening UDP socket the script dropped survives collectgarbage and still receives", function(done)
  local port
  do
    local rx = udp()
    rx:on("receive", function(s, data)
      emu.check(function() emu.eq(data, "still here") end)
      s:close()
      done()
    end)
    rx:listen(0)
    port = rx:getaddr()
  end
  collectgarbage()
  collectgarbage()
  local tx = udp()
  tx:send(port, "127.0.0.1", "still here")
  tx:close()
end)

emu.async("N22 a socket bound by its first send survives collectgarbage and receives replies", function(done)
  local echo = udp()
  echo:on("receive", function(s, data, port, ip) s:send(port, ip, data) end)
  echo:listen(0)
  do
    local tx = udp()
    tx:on("receive", function(s, data)
      emu.check(function() emu.eq(data, "echo me") end)
      s:close()
      echo:close()
      done()
    end)
    tx:send((echo:getaddr()), "127.0.0.1", "echo me")
  end
  collectgarbage()
  collectgarbage()
end)

-- Native objects are counted until the host has finished with them too (an aborted receive
-- still holds its socket for one more loop turn), so counts are read after a short wait.
local function settled(fn)
  collectgarbage()
  collectgarbage()
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    collectgarbage()
    collectgarbage()
    fn()
  end)
end

emu.async("an unbound socket the script dropped is collected", function(done)
  settled(function()
    local before = emu.live_objects()
    do local s = udp() end
    emu.check(function() emu.eq(emu.live_objects(), before + 1, "while referenced") end)
    settled(function()
      emu.check(function() emu.eq(emu.live_objects(), before, "after collection") end)
      done()
    end)
  end)
end)

emu.async("a closed socket the script dropped is collected", function(done)
  settled(function()
    local before = emu.live_objects()
    do
      local s = udp()
      s:listen(0)
      s:close()
    end
    settled(function()
      emu.check(function() emu.eq(emu.live_objects(), before) end)
      done()
    end)
  end)
end)

emu.async("a bound socket stays alive until close(); then it can be collected", function(done)
  settled(function()
    local before = emu.live_objects()
    local weak = setmetatable({}, { __mode = "v" })
    do
      local s = udp()
      s:listen(0)
      weak[1] = s
    end
    settled(function()
      if not emu.check(function() emu.truthy(weak[1] ~= nil, "pinned while bound") end) then return end
      weak[1]:close()
      settled(function()
        emu.check(function()
          emu.eq(weak[1], nil, "collected after close")
          emu.eq(emu.live_objects(), before)
        end)
        done()
      end)
    end)
  end)
end)

emu.async("2000 socket open/send/close cycles leave no native object behind", function(done)
  settled(function()
    local before = emu.live_objects()
    local rx = udp()
    local port
    local count = 0
    -- one datagram in flight at a time: UDP may drop what overflows the receive buffer
    local function next_one()
      local tx = udp()
      tx:send(port, "127.0.0.1", tostring(count + 1))
      tx:close()
    end
    rx:on("receive", function(_, data)
      count = count + 1
      if count % 100 == 0 then collectgarbage() end
      if count < 2000 then return next_one() end
      rx:close()
      rx = nil
      settled(function()
        emu.check(function() emu.eq(emu.live_objects(), before, "live native objects") end)
        done()
      end)
    end)
    rx:listen(0)
    port = rx:getaddr()
    next_one()
  end)
end, 120000)

emu.test("N27 an error in a receive callback is a PANIC: the device reboots (exit 1)", function()
  local out, err, status = emu.run({ script = [[
    local rx = net.createUDPSocket()
    rx:on("receive", function(_, data) error("bad datagram " .. data) end)
    rx:listen(0)
    local tx = net.createUDPSocket()
    tx:send((rx:getaddr()), "127.0.0.1", "x")
    tx:close()
  ]] })
  emu.eq(status, 1, "exit status")
  emu.contains(err, "PANIC: unprotected error in call to Lua API (")
  emu.contains(err, "bad datagram x")
end)

emu.test("N27 with --on-error=continue the socket keeps receiving after the PANIC line", function()
  local out, err, status = emu.run({ args = { "--on-error=continue" }, script = [[
    local rx = net.createUDPSocket()
    local n = 0
    rx:on("receive", function(s, data)
      n = n + 1
      if n == 1 then error("first") end
      print("got " .. data)
      s:close()
    end)
    rx:listen(0)
    local tx = net.createUDPSocket()
    tx:send((rx:getaddr()), "127.0.0.1", "a")
    tx:send((rx:getaddr()), "127.0.0.1", "b")
    tx:close()
  ]] })
  emu.eq(status, 0, "exit status")
  emu.contains(err, "PANIC: unprotected error in call to Lua API (")
  emu.contains(out, "got b")
end)

emu.async("an error in a synchronous dns callback reaches the caller of dns(), no PANIC", function(done)
  local weak = setmetatable({}, { __mode = "v" })
  do
    local s = udp()
    weak[1] = s
    local ok, err = pcall(s.dns, s, "1.2.3.4", function() error("in dns", 0) end)
    emu.eq(ok, false)
    emu.eq(err, "in dns")
  end
  -- the socket was not left pinned by the failed callback
  settled(function()
    emu.check(function() emu.eq(weak[1], nil, "collected") end)
    done()
  end)
end)
