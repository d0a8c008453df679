-- args: --host-libs
-- net.udpsocket traffic: send, "sent", "receive", auto-bind, datagram sizes, broadcast
-- (spec net.md 5.2, 5.3, 9; checklist N14, N15, N16).
local emu = require "emu"

local function udp() return net.createUDPSocket() end

-- A bound socket that records what it receives; `on_datagram(n)` runs after each.
local function sink(on_datagram)
  local s = udp()
  local got = {}
  s:on("receive", function(sck, data, port, ip)
    got[#got + 1] = { sck = sck, data = data, port = port, ip = ip, nargs = nil }
    if on_datagram then on_datagram(#got, got) end
  end)
  s:listen(0)
  return s, got
end

emu.async("N15 receive gets (sck, data, port number, dotted-quad ip), port and ip after data", function(done)
  local rx = udp()
  local tx = udp()
  rx:on("receive", function(...)
    local n = select("#", ...)
    local sck, data, port, ip = ...
    emu.check(function()
      emu.eq(n, 4, "argument count")
      emu.eq(sck, rx)
      emu.eq(data, "hello")
      emu.eq(type(port), "number")
      emu.eq(port, (tx:getaddr()), "the sender's port")
      emu.eq(ip, "127.0.0.1")
    end)
    rx:close()
    tx:close()
    done()
  end)
  rx:listen(0)
  tx:send((rx:getaddr()), "127.0.0.1", "hello")
end)

emu.test("N14 the sent handler runs inside send(), before it returns, with (sck)", function()
  local rx = udp()
  rx:listen(0)
  local tx = udp()
  local order = {}
  tx:on("sent", function(...)
    order[#order + 1] = "sent"
    emu.eq(select("#", ...), 1, "argument count")
    emu.eq((...), tx)
  end)
  tx:send((rx:getaddr()), "127.0.0.1", "x")
  order[#order + 1] = "returned"
  emu.same(order, { "sent", "returned" })
  rx:close()
  tx:close()
end)

emu.test("N14 send(port, ip, data, fn) replaces the sent handler for good", function()
  local rx = udp()
  rx:listen(0)
  local port = rx:getaddr()
  local tx = udp()
  local calls = {}
  tx:on("sent", function() calls[#calls + 1] = "old" end)
  tx:send(port, "127.0.0.1", "a", function() calls[#calls + 1] = "new" end)
  tx:send(port, "127.0.0.1", "b")
  emu.same(calls, { "new", "new" })
  rx:close()
  tx:close()
end)

emu.async("an error in the sent handler reaches the caller of send(); the datagram still went", function(done)
  local rx = udp()
  rx:on("receive", function(_, data)
    emu.check(function() emu.eq(data, "boom") end)
    rx:close()
    done()
  end)
  rx:listen(0)
  local tx = udp()
  local ok, err = pcall(tx.send, tx, (rx:getaddr()), "127.0.0.1", "boom", function() error("in sent", 0) end)
  emu.eq(ok, false)
  emu.eq(err, "in sent")
  tx:close()
end)

emu.test("sent fires even when the send fails, then the error is raised", function()
  -- bound to an address that is not the device's: lwIP refuses to send from it (ERR_VAL)
  local s = udp()
  s:listen(0, "10.9.8.7")
  local sent = 0
  s:on("sent", function() sent = sent + 1 end)
  emu.raises("illegal value", s.send, s, 9, "127.0.0.1", "x")
  emu.eq(sent, 1)
  s:close()
end)

emu.test("N16 the first send binds an unbound socket to 0.0.0.0 and a port from 4096", function()
  local rx = udp()
  rx:listen(0)
  local tx = udp()
  emu.eq(tx:getaddr(), nil)
  tx:send((rx:getaddr()), "127.0.0.1", "x")
  local port, ip = tx:getaddr()
  emu.truthy(port >= 4096 and port <= 0x7fff, "port " .. tostring(port))
  emu.eq(ip, "0.0.0.0")
  emu.eq(tx:ttl(), 255, "bound: ttl works now")
  local again = tx:getaddr()
  tx:send((rx:getaddr()), "127.0.0.1", "y")
  emu.eq(tx:getaddr(), again, "later sends keep the port")
  rx:close()
  tx:close()
end)

-- Sends `want` from a new socket to a sink on loopback and checks that every datagram arrives as
-- one receive callback, in order; the sender closes at once (its queued sends still leave) when
-- `close_sender` is set.
local function check_arrival_in_order(want, done, close_sender)
  local rx, got
  rx, got = sink(function(n)
    if n < #want then return end
    emu.check(function()
      for i, w in ipairs(want) do emu.eq(got[i].data, w, "datagram " .. i) end
    end)
    rx:close()
    done()
  end)
  local tx = udp()
  for _, w in ipairs(want) do tx:send((rx:getaddr()), "127.0.0.1", w) end
  if close_sender then tx:close() end
end

emu.async("every datagram is one receive callback, in order, never merged", function(done)
  check_arrival_in_order({ "one", "two", string.rep("3", 1000), "four" }, done, true)
end)

emu.async("a reply goes back to the port and ip the receive callback reported", function(done)
  local server = udp()
  server:on("receive", function(s, data, port, ip) s:send(port, ip, "re:" .. data) end)
  server:listen(0)
  local client = udp()
  client:on("receive", function(_, data, port, ip)
    emu.check(function()
      emu.eq(data, "re:ping")
      emu.eq(port, (server:getaddr()))
      emu.eq(ip, "127.0.0.1")
    end)
    server:close()
    client:close()
    done()
  end)
  client:send((server:getaddr()), "127.0.0.1", "ping")
end)

emu.async("1472 bytes travel in one datagram; 1473 are dropped without an error", function(done)
  local rx, got
  rx, got = sink()
  local tx = udp()
  local sent = 0
  tx:on("sent", function() sent = sent + 1 end)
  tx:send((rx:getaddr()), "127.0.0.1", string.rep("a", 1473))  -- no error: lost on the way
  tx:send((rx:getaddr()), "127.0.0.1", string.rep("b", 1472))
  tx:send((rx:getaddr()), "127.0.0.1", "end")
  emu.eq(sent, 3, "sent fires for every send")
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.eq(#got, 2, "datagrams received")
      emu.eq(got[1].data, string.rep("b", 1472))
      emu.eq(got[2].data, "end")
    end)
    rx:close()
    tx:close()
    done()
  end)
end)

emu.async("a datagram over 1472 bytes from a host peer is dropped; the next one arrives", function(done)
  local rx, got
  rx, got = sink(function(n, got)
    emu.check(function()
      emu.eq(n, 1)
      emu.eq(got[1].data, "small")
    end)
    rx:close()
    done()
  end)
  local port = rx:getaddr()
  -- a plain host socket, not the device: it may send what the device never could
  local script = string.format([[
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"x" * 4000, ("127.0.0.1", %d))
s.sendto(b"small", ("127.0.0.1", %d))
]], port, port)
  emu.write("/tmp/nodemcu-emu-udp-big-" .. port .. ".py", script)
  emu.truthy(os.execute("python3 /tmp/nodemcu-emu-udp-big-" .. port .. ".py") == 0, "python3 peer ran")
  os.remove("/tmp/nodemcu-emu-udp-big-" .. port .. ".py")
end)

emu.async("without a receive handler datagrams are discarded, not queued", function(done)
  local rx = udp()
  rx:listen(0)
  local tx = udp()
  tx:send((rx:getaddr()), "127.0.0.1", "unheard")
  tmr.create():alarm(20, tmr.ALARM_SINGLE, function()
    rx:on("receive", function(_, data)
      emu.check(function() emu.eq(data, "heard") end)
      rx:close()
      tx:close()
      done()
    end)
    tx:send((rx:getaddr()), "127.0.0.1", "heard")
  end)
end)

emu.async("after close() no receive callback fires", function(done)
  local calls = 0
  local rx = udp()
  rx:on("receive", function() calls = calls + 1 end)
  rx:listen(0)
  local port = rx:getaddr()
  local tx = udp()
  tx:send(port, "127.0.0.1", "late")
  rx:close()  -- the datagram is already in flight
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(calls, 0) end)
    tx:close()
    done()
  end)
end)

emu.async("close() inside the receive callback stops the rest", function(done)
  local calls = 0
  local rx = udp()
  rx:on("receive", function(s) calls = calls + 1; s:close() end)
  rx:listen(0)
  local tx = udp()
  for i = 1, 5 do tx:send((rx:getaddr()), "127.0.0.1", "d" .. i) end
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(calls, 1) end)
    tx:close()
    done()
  end)
end)

emu.async("a broadcast to 255.255.255.255 reaches a socket listening on that port", function(done)
  -- a free port (chosen by the kernel): broadcasts reach every socket on the port on this machine
  local rx = udp()
  rx:on("receive", function(_, data, _, ip)
    emu.check(function()
      emu.eq(data, "to all")
      emu.eq(ip, "127.0.0.1")
    end)
    rx:close()
    done()
  end)
  rx:listen(0)
  local port = rx:getaddr()
  local tx = udp()
  tx:send(port, "255.255.255.255", "to all")
  tx:close()
end)

emu.async("a burst of equal datagrams to one address (one segmented send on the host) arrives one by one", function(done)
  local want = {}
  for i = 1, 40 do want[i] = string.format("%04d", i) .. string.rep("x", 508) end
  want[41] = "short tail"
  check_arrival_in_order(want, done, false)
end)

emu.async("a burst of equal datagrams to the broadcast address arrives one by one", function(done)
  local rx = udp()
  local got = {}
  rx:on("receive", function(_, data)
    got[#got + 1] = data
    if #got < 5 then return end
    emu.check(function() emu.same(got, { "b1", "b2", "b3", "b4", "b5" }) end)
    rx:close()
    done()
  end)
  rx:listen(0)
  local port = rx:getaddr()
  local tx = udp()
  for i = 1, 5 do tx:send(port, "255.255.255.255", "b" .. i) end
  tx:close()
end)

emu.async("a broadcast to the subnet's broadcast address arrives too", function(done)
  local rx = udp()
  rx:on("receive", function(_, data)
    emu.check(function() emu.eq(data, "subnet") end)
    rx:close()
    done()
  end)
  rx:listen(0, "127.0.0.1")  -- lwIP hands broadcasts to every pcb on the port
  local port = rx:getaddr()
  local tx = udp()
  tx:send(port, "127.255.255.255", "subnet")
  tx:close()
end)

emu.async("a datagram to an address that cannot be reached from loopback is lost, not an error", function(done)
  local tx = udp()
  local sent = false
  tx:send(9, "192.0.2.1", "lost", function() sent = true end)
  emu.eq(sent, true)
  tx:close()
  done()
end)

emu.test("net.createServer(net.UDP) and net.createConnection(net.UDP) give UDP sockets (profile 2)", function()
  local a = net.createServer(net.UDP)
  local b = net.createConnection(net.UDP)
  emu.truthy(tostring(a):find("net.udpsocket", 1, true), tostring(a))
  emu.truthy(tostring(b):find("net.udpsocket", 1, true), tostring(b))
  a:listen(0)
  emu.truthy(a:getaddr() >= 4096)
  a:close()
end)
