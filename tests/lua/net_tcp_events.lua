-- net TCP: callbacks, their order and arguments, over real loopback sockets (spec net.md 12).
local emu = require "emu"

-- A server on a free port; `on_conn(sck)` is its listen callback. Returns server, port.
local function server(on_conn, timeout)
  local srv = net.createServer(net.TCP, timeout or 30)
  srv:listen(0, on_conn)
  return srv, (srv:getaddr())
end

-- Sends the parts one after another, each from the previous one's "sent".
local function send_all(sck, parts, after)
  local function next_part(s)
    if #parts > 0 then s:send(table.remove(parts, 1)) elseif after then after(s) end
  end
  sck:on("sent", next_part)
  next_part(sck)
end

emu.async("N1 a 5000-byte message arrives in order as receive callbacks of at most 1460 bytes", function(done)
  local msg = {}
  for i = 1, 5000 do msg[i] = string.char(65 + i % 26) end
  msg = table.concat(msg)
  local got, chunks = {}, 0
  local srv, port
  srv, port = server(function(c)
    c:on("receive", function(_, data)
      emu.check(function()
        chunks = chunks + 1
        emu.truthy(#data <= 1460, "chunk of " .. #data)
        got[#got + 1] = data
        if #table.concat(got) == #msg then
          emu.eq(table.concat(got), msg)
          emu.truthy(chunks >= 4, "at least 4 chunks, got " .. chunks)
          srv:close()
          done()
        end
      end)
    end)
  end)
  local cl = net.createConnection()
  cl:on("connection", function(s) send_all(s, { msg:sub(1, 2920), msg:sub(2921) }, function(x) x:close() end) end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("N5 N6 server order: listen cb, connection, receive; client connection gets one argument", function(done)
  local log = {}
  local srv, port
  srv, port = server(function(c)
    log[#log + 1] = "listen"
    c:on("connection", function(s, extra)
      log[#log + 1] = "server connection:" .. select("#", s, extra)
    end)
    c:on("receive", function(s, d)
      log[#log + 1] = "receive:" .. d
      emu.check(function()
        -- the client's own "connection" may come before or after the server's accept
        local server_side = {}
        for _, e in ipairs(log) do if not e:find("^client") then server_side[#server_side + 1] = e end end
        emu.same(server_side, { "listen", "server connection:2", "receive:hi" })
        local client_saw = false
        for _, e in ipairs(log) do client_saw = client_saw or e == "client connection:1" end
        emu.truthy(client_saw, "client connection with one argument")
      end)
      srv:close()
      done()
    end)
  end)
  local cl = net.createConnection()
  cl:on("connection", function(...)
    log[#log + 1] = "client connection:" .. select("#", ...)
    cl:send("hi")
  end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("N7 peer close: data first, then disconnection(sck, 0); close() inside it raises not connected", function(done)
  local got = ""
  local srv, port
  srv, port = server(function(c)
    c:on("receive", function(_, d) got = got .. d end)
    c:on("disconnection", function(s, err)
      emu.check(function()
        emu.eq(got, "bye")
        emu.eq(err, 0)
        -- N10: the pcb is gone before the callback runs
        emu.raises("not connected", s.close, s)
      end)
      srv:close()
      done()
    end)
  end)
  local cl = net.createConnection()
  cl:on("connection", function(s) s:send("bye") end)
  cl:on("sent", function(s) s:close() end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("N8 connection refused: reconnection(sck, -9) when registered", function(done)
  -- a port nobody listens on: take one and close it
  local probe = net.createServer()
  probe:listen(0, function() end)
  local port = probe:getaddr()
  probe:close()
  local cl = net.createConnection()
  cl:on("disconnection", function() emu.check(function() error("disconnection must not fire") end) end)
  cl:on("reconnection", function(s, err)
    emu.check(function() emu.eq(err, -9) end)
    done()
  end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("N8 connection refused: disconnection(sck, -9) without a reconnection handler", function(done)
  local probe = net.createServer()
  probe:listen(0, function() end)
  local port = probe:getaddr()
  probe:close()
  local cl = net.createConnection()
  cl:on("disconnection", function(s, err)
    emu.check(function() emu.eq(err, -9) end)
    done()
  end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("N9 local close fires nothing on the closing side; the peer sees disconnection 0", function(done)
  local srv, port
  local fired = {}
  srv, port = server(function(c)
    c:on("disconnection", function(_, err)
      emu.check(function()
        emu.eq(err, 0)
        emu.same(fired, {})
      end)
      srv:close()
      done()
    end)
  end)
  local cl = net.createConnection()
  cl:on("disconnection", function() fired[#fired + 1] = "disconnection" end)
  cl:on("connection", function(s)
    s:close()
    emu.raises("not connected", s.close, s)
  end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("N11 a send over 2920 bytes raises out of memory and sends nothing; two 2000-byte sends fail on the second", function(done)
  local srv, port
  local received = 0
  srv, port = server(function(c)
    c:on("receive", function(_, d) received = received + #d end)
    c:on("disconnection", function()
      emu.check(function() emu.eq(received, 2000) end)
      srv:close()
      done()
    end)
  end)
  local cl = net.createConnection()
  cl:on("connection", function(s)
    emu.check(function()
      emu.raises("out of memory", s.send, s, string.rep("x", 2921))
      s:send(string.rep("a", 2000))
      emu.raises("out of memory", s.send, s, string.rep("b", 2000))
    end)
  end)
  cl:on("sent", function(s) s:close() end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("N12 send right after connect() to a dotted quad is delivered once connected", function(done)
  local srv, port
  srv, port = server(function(c)
    c:on("receive", function(_, d)
      emu.check(function() emu.eq(d, "early") end)
      srv:close()
      done()
    end)
  end)
  local cl = net.createConnection()
  cl:connect(port, "127.0.0.1")
  cl:send("early")
end)

emu.async("N13 N30 send(data, fn) replaces the sent handler; sent fires once per send", function(done)
  local srv, port
  srv, port = server(function(c) c:on("receive", function() end) end)
  local calls = {}
  local cl = net.createConnection()
  cl:on("sent", function() calls[#calls + 1] = "old" end)
  cl:on("connection", function(s)
    s:send("one", function(x)
      calls[#calls + 1] = "new"
      if #calls == 1 then x:send("two") return end
      emu.check(function() emu.same(calls, { "new", "new" }) end)
      x:close()
      srv:close()
      done()
    end)
  end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("N20 N21 connect() to a dotted quad calls the dns handler synchronously", function(done)
  local srv, port
  srv, port = server(function() end)
  local order = {}
  local cl = net.createConnection()
  cl:on("dns", function(s, ip) order[#order + 1] = "dns " .. tostring(ip) end)
  cl:on("connection", function(s)
    emu.check(function() emu.same(order, { "dns 127.0.0.1", "after connect" }) end)
    s:close()
    srv:close()
    done()
  end)
  cl:connect(port, "127.0.0.1")
  order[#order + 1] = "after connect"
end)

emu.async("N22 sockets survive collectgarbage after the script drops them", function(done)
  local port
  do
    local srv = net.createServer()
    srv:listen(0, function(c)
      c:on("receive", function(s, d) s:send("echo " .. d) end)
    end)
    port = srv:getaddr()
  end
  collectgarbage()
  collectgarbage()
  do
    local cl = net.createConnection()
    cl:on("connection", function(s) collectgarbage(); s:send("ping") end)
    cl:on("receive", function(s, d)
      emu.check(function() emu.eq(d, "echo ping") end)
      s:close()
      done()
    end)
    cl:connect(port, "127.0.0.1")
  end
  collectgarbage()
end)

emu.async("N23 hold() stops reading until unhold(); nothing is lost", function(done)
  local srv, port
  local got, held_at = "", nil
  local total = 20000
  srv, port = server(function(c)
    c:hold()
    -- the held server reads nothing; after a while it lets the data flow
    tmr.create():alarm(2000, tmr.ALARM_SINGLE, function()
      held_at = #got
      c:unhold()
    end)
    c:on("receive", function(_, d)
      got = got .. d
      if #got == total then
        emu.check(function()
          emu.eq(held_at, 0)
          emu.eq(got, string.rep("z", total))
        end)
        srv:close()
        done()
      end
    end)
  end)
  local cl = net.createConnection()
  local parts = {}
  for i = 1, total / 2000 do parts[i] = string.rep("z", 2000) end
  cl:on("connection", function(s) send_all(s, parts) end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("N4 a silent peer is reset after the server timeout with disconnection -8", function(done)
  local srv, port
  local t0
  srv, port = server(function(c)
    t0 = tmr.now()
    c:on("disconnection", function(_, err)
      emu.check(function()
        emu.eq(err, -8)
        local waited = (tmr.now() - t0) / 1e6
        emu.truthy(waited >= 4.5 and waited <= 5.5, "timed out after " .. waited .. " s")
      end)
      srv:close()
      done()
    end)
  end, 5)
  local cl = net.createConnection()
  cl:on("reconnection", function() end) -- the client sees the reset
  cl:connect(port, "127.0.0.1")
end, 120000)

emu.async("N4 traffic restarts the timeout count", function(done)
  local srv, port
  local t0
  srv, port = server(function(c)
    t0 = tmr.now()
    c:on("receive", function() end)
    c:on("disconnection", function(_, err)
      emu.check(function()
        emu.eq(err, -8)
        local waited = (tmr.now() - t0) / 1e6
        -- last byte at 4 s, then 5 s of silence
        emu.truthy(waited >= 8.5 and waited <= 9.5, "timed out after " .. waited .. " s")
      end)
      srv:close()
      done()
    end)
  end, 5)
  local cl = net.createConnection()
  cl:on("reconnection", function() end)
  cl:on("connection", function(s)
    tmr.create():alarm(4000, tmr.ALARM_SINGLE, function() s:send("keep") end)
  end)
  cl:connect(port, "127.0.0.1")
end, 120000)

emu.async("close() inside receive resets the connection (peer sees -9)", function(done)
  local srv, port
  srv, port = server(function(c)
    c:on("receive", function(s) s:send("lost"); s:close() end)
  end)
  local cl = net.createConnection()
  local got = ""
  cl:on("receive", function(_, d) got = got .. d end)
  cl:on("connection", function(s) s:send("hello") end)
  cl:on("reconnection", function(_, err)
    emu.check(function()
      emu.eq(err, -9)
      emu.eq(got, "")
    end)
    srv:close()
    done()
  end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("close() from the sent callback is graceful: the peer gets the data and disconnection 0", function(done)
  local srv, port
  srv, port = server(function(c)
    c:on("receive", function(s) s:send("reply", function(x) x:close() end) end)
  end)
  local cl = net.createConnection()
  local got = ""
  cl:on("receive", function(_, d) got = got .. d end)
  cl:on("connection", function(s) s:send("hello") end)
  cl:on("disconnection", function(_, err)
    emu.check(function()
      emu.eq(err, 0)
      emu.eq(got, "reply")
    end)
    srv:close()
    done()
  end)
  cl:connect(port, "127.0.0.1")
end)

emu.async("getpeer/getaddr of a connected pair agree; ttl defaults to 255 and returns what it was given", function(done)
  local srv, port
  srv, port = server(function(c)
    c:on("receive", function(s)
      emu.check(function()
        local pport, pip = s:getpeer()
        emu.eq(pip, "127.0.0.1")
        local lport, lip = s:getaddr()
        emu.eq(lport, port)
        emu.eq(lip, "127.0.0.1")
        emu.eq(s:ttl(), 255)
        emu.eq(s:ttl(300), 300)
        emu.eq(s:ttl(), 44)
      end)
      s:close()
      srv:close()
      done()
    end)
  end)
  local cl = net.createConnection()
  cl:on("connection", function(s)
    local rport, rip = s:getpeer()
    emu.check(function()
      emu.eq(rport, port)
      emu.eq(rip, "127.0.0.1")
    end)
    s:send("x")
  end)
  cl:connect(port, "127.0.0.1")
end)
