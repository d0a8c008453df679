-- args: --limits tcp=2
-- --limits tcp=N (net.md 0.5, 10): N established TCP connections, incoming and outgoing
-- together — net sockets and mqtt clients alike. At N the device ignores further SYNs
-- (tcp_in.c:515): a peer's connection is not accepted, read or answered until one closes.
-- Outgoing connects are never refused (lwIP allocates their pcbs from the heap) but count.
local emu = require "emu"

local function server(port, log)
  local srv = net.createServer(net.TCP, 30)
  srv:listen(port, function(conn)
    log.accepted = log.accepted + 1
    conn:on("receive", function(sck, data) sck:send("ok " .. data) end)
  end)
  return srv
end

emu.async("a client pair takes both slots: the next connection is accepted when one closes", function(done)
  local log = { accepted = 0 }
  local port = emu.free_port("tcp")
  local srv = server(port, log)
  local first = net.createConnection(net.TCP)
  first:on("connection", function()
    local second = net.createConnection(net.TCP)
    second:on("receive", function(sck, data)
      emu.check(function()
        emu.eq(data, "ok 2")
        emu.eq(log.accepted, 2, "accepted after the first pair closed")
      end)
      sck:close()
      srv:close()
      done()
    end)
    second:on("connection", function(sck)
      sck:send("2")
      -- Nothing is accepted while the first pair holds both slots (the host's kernel did the
      -- handshake, so this side is connected; the device has not seen the SYN).
      tmr.create():alarm(500, tmr.ALARM_SINGLE, function()
        emu.check(function() emu.eq(log.accepted, 1, "still one accepted at the limit") end)
        first:close()
      end)
    end)
    second:connect(port, "127.0.0.1")
  end)
  first:connect(port, "127.0.0.1")
end)

emu.async("an outgoing connect at the limit is not refused, and counts", function(done)
  local log = { accepted = 0 }
  local port, other = emu.free_port("tcp"), emu.free_port("tcp")
  local srv_a, srv_b = server(port, log), server(other, log)
  local a = net.createConnection(net.TCP)
  a:on("connection", function()
    -- a and its server side: both slots taken. Another outgoing connect still goes out.
    local b = net.createConnection(net.TCP)
    b:on("connection", function(sck)
      tmr.create():alarm(500, tmr.ALARM_SINGLE, function()
        emu.check(function() emu.eq(log.accepted, 1, "b's server side waits: 3 would pass the limit") end)
        a:close()
        tmr.create():alarm(500, tmr.ALARM_SINGLE, function()
          emu.check(function() emu.eq(log.accepted, 2, "accepted once a slot is free") end)
          sck:close()
          srv_a:close()
          srv_b:close()
          done()
        end)
      end)
    end)
    b:connect(other, "127.0.0.1")
  end)
  a:connect(port, "127.0.0.1")
end)

emu.async("an mqtt client's connection counts against the same limit", function(done)
  -- A broker of our own on this device: the mqtt client and the broker's side of its
  -- connection take both slots.
  local broker = net.createServer(net.TCP, 30)
  broker:listen(emu.free_port("tcp"), function(c)
    c:on("receive", function(sck, data)
      if data:byte(1) == 0x10 then sck:send(string.char(0x20, 2, 0, 0)) end  -- CONNECT → CONNACK
    end)
  end)
  local log = { accepted = 0 }
  local port = emu.free_port("tcp")
  local srv = server(port, log)
  local m = mqtt.Client("dev", 120)
  m:connect("127.0.0.1", (select(1, broker:getaddr())), 0, function(client)
    local c = net.createConnection(net.TCP)
    c:on("connection", function()
      tmr.create():alarm(500, tmr.ALARM_SINGLE, function()
        emu.check(function() emu.eq(log.accepted, 0, "the mqtt connection holds the slots") end)
        client:close()
        tmr.create():alarm(500, tmr.ALARM_SINGLE, function()
          emu.check(function() emu.eq(log.accepted, 1, "accepted once mqtt closed") end)
          c:close()
          srv:close()
          broker:close()
          done()
        end)
      end)
    end)
    c:connect(port, "127.0.0.1")
  end, function(_, reason) emu.check(function() error("mqtt failed: " .. tostring(reason)) end) end)
end)

emu.test("peers outside the process: two are served, the third only after one closes", function()
  local client = emu.tmpname()
  emu.write(client, [[
import socket, sys
port = int(sys.argv[1])
c = [socket.create_connection(('127.0.0.1', port)) for _ in range(3)]
for i, s in enumerate(c):
    s.sendall(str(i + 1).encode())
first = [c[0].recv(100).decode(), c[1].recv(100).decode()]
c[2].settimeout(0.3)
try:
    early = c[2].recv(100).decode()
except socket.timeout:
    early = 'nothing'
print('served:', first[0], '|', first[1], '| third before a close:', early)
c[0].close()
c[2].settimeout(20)
print('third after a close:', c[2].recv(100).decode())
for s in c[1:]:
    s.close()
]])
  local port = emu.free_port("tcp")
  local out, err, status = emu.run { real_time = true, args = { "--host-libs", "--limits", "tcp=2", "--run-for", "30" },
    script = [[
    local accepted, closed = 0, 0
    local py
    local srv = net.createServer(net.TCP, 30)
    srv:listen(]] .. port .. [[, function(conn)
      accepted = accepted + 1
      conn:on("receive", function(sck, data) sck:send("ok " .. data) end)
      conn:on("disconnection", function()
        closed = closed + 1
        if closed < 3 then return end
        print(py:read("*a") .. "accepted " .. accepted)
        py:close()
        srv:close()
      end)
    end)
    py = io.popen("python3 ]] .. client .. " " .. port .. [[")
  ]] }
  emu.remove(client)
  emu.eq(err, "")
  emu.eq(status, 0)
  emu.eq(out, "served: ok 1 | ok 2 | third before a close: nothing\nthird after a close: ok 3\naccepted 3\n")
end)
