-- args: --firmware=1
-- net's TCP under 1.5.4.1 (net.c@1.5.4.1-master_20161201): the net.socket and net.server
-- objects with that release's methods, argument checks, error texts and callbacks.
local emu = require "emu"

local function methods(obj)
  local names = {}
  for k, v in pairs(getmetatable(obj).__index) do
    if type(v) == "function" then names[#names + 1] = k end
  end
  table.sort(names)
  return table.concat(names, " ")
end

emu.test("sockets and servers of both kinds have 1.5.4.1's methods and no others", function()
  local socket_methods = "close connect dns getpeer hold on send unhold"
  emu.eq(methods(net.createConnection(net.TCP)), socket_methods)
  emu.eq(methods(net.createConnection(net.UDP)), socket_methods)
  emu.eq(methods(net.createServer(net.TCP)), "close listen on send")
  emu.eq(methods(net.createServer(net.UDP)), "close listen on send")
  local c = net.createConnection(net.TCP)
  emu.eq(c.getaddr, nil, "getaddr came with 2.x")
  emu.eq(c.ttl, nil, "ttl came with 2.x")
end)

emu.test("server:on and server:send of a TCP server: the checks, then the refusal", function()
  local s = net.createServer(net.TCP)
  emu.raises("bad argument #1 to 'on' (string expected, got no value)", function() s:on() end)
  emu.raises("bad argument #2 to 'on' (function or lightfunction expected, got no value)",
             function() s:on("connection") end)
  emu.raises("bad argument #2 to 'on' (function or lightfunction expected, got nil)",
             function() s:on("receive", nil) end)
  for _, event in ipairs({ "connection", "receive", "sent", "disconnection", "x" }) do
    emu.raises("method not supported", function() s:on(event, print) end)
  end
  emu.raises("tcp server send not supported", function() s:send("x") end)
  emu.raises("tcp server send not supported", function() s:send() end)
  emu.raises("bad argument #1 to 'listen' (number expected, got no value)", function() s:listen() end)
end)

emu.test("socket:send and socket:on check as net_send and net_on do", function()
  local c = net.createConnection(net.TCP)
  emu.raises("bad argument #1 to 'send' (string expected, got no value)", function() c:send() end)
  emu.raises("bad argument #1 to 'send' (string expected, got table)", function() c:send({}) end)
  emu.raises("need <1460 payload", function() c:send(("x"):rep(1461)) end)
  c:send(("x"):rep(1460))  -- not connected: espconn_sent fails, net.c ignores it
  c:send(12)               -- a number is a string to luaL_checklstring
  emu.raises("bad argument #2 to 'on' (function or lightfunction expected, got string)",
             function() c:on("receive", "f") end)
  emu.raises("method not supported", function() c:on("timeout", print) end)
  for _, event in ipairs({ "connection", "reconnection", "disconnection", "receive", "sent", "dns" }) do
    c:on(event, print)
  end
  emu.raises("bad argument #1 to 'connect' (number expected, got no value)", function() c:connect() end)
  emu.raises("need <128 domain", function() c:dns(("a"):rep(129), print) end)
  emu.raises("bad argument #1 to 'on' (net.socket expected, got userdata)",
             function() c.on(net.createServer(net.TCP), "receive", print) end)
  c:close()  -- never connected: nothing happens
end)

emu.test("one TCP server at a time: a second createServer fails while the first listens", function()
  local s = net.createServer(net.TCP)
  s:listen(emu.free_port("tcp"), function() end)
  emu.raises("only one tcp server allowed", function() net.createServer(net.TCP) end)
  s:close()
  local s2 = net.createServer(net.TCP, 5)
  s2:close()
end)

emu.async("an exchange: getpeer is ip, port; disconnection gets the socket only", function(done)
  local port = emu.free_port("tcp")
  local log = {}
  local srv = net.createServer(net.TCP, 30)
  srv:listen(port, function(conn)
    conn:on("receive", function(sck, data)
      log[#log + 1] = "server got " .. data
      sck:send("pong", function(s)
        log[#log + 1] = "server sent"
        s:close()
      end)
    end)
    conn:on("disconnection", function(...)
      log[#log + 1] = "server disconnection " .. select("#", ...)
    end)
  end)
  local c = net.createConnection(net.TCP, 0)
  c:on("receive", function(_, data) log[#log + 1] = "client got " .. data end)
  c:on("disconnection", function(...)
    log[#log + 1] = "client disconnection " .. select("#", ...)
    local sck = ...
    emu.check(function() emu.eq(sck, c) end)
    -- the server's own disconnection comes from its close(), on a turn of its own
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
      emu.check(function()
        emu.eq(log[1], "connected")
        table.sort(log)
        emu.same(log, { "client disconnection 1", "client got pong", "connected", "server disconnection 1",
                        "server got ping", "server sent" })
      end)
      srv:close()
      done()
    end)
  end)
  c:connect(port, "127.0.0.1", function(sck)
    log[#log + 1] = "connected"
    local ip, p = sck:getpeer()
    emu.check(function()
      emu.eq(ip, "127.0.0.1")
      emu.eq(p, port)
    end)
    sck:send("ping")
  end)
end)

emu.async("close() is followed by the disconnection callback, on a later turn", function(done)
  local port = emu.free_port("tcp")
  local srv = net.createServer(net.TCP)
  srv:listen(port, function() end)
  local c = net.createConnection(net.TCP)
  local closing = false
  c:on("connection", function(sck)
    closing = true
    sck:close()
    closing = false
  end)
  c:on("disconnection", function(sck)
    emu.check(function()
      emu.eq(closing, false, "not inside close()")
      emu.eq(sck, c)
      emu.eq(select("#", sck:getpeer()), 2)
      emu.eq(sck:getpeer(), nil, "the connection is gone")
    end)
    srv:close()
    done()
  end)
  c:connect(port, "127.0.0.1")
end)

emu.async("a refused connect calls disconnection, never reconnection", function(done)
  local c = net.createConnection(net.TCP)
  c:on("reconnection", function() emu.check(function() error("reconnection called") end) end)
  c:on("disconnection", function(sck)
    emu.check(function() emu.eq(sck, c) end)
    done()
  end)
  c:connect(emu.free_port("tcp"), "127.0.0.1")
end)

emu.async("server:close() drops the callback and disconnects every client", function(done)
  local port = emu.free_port("tcp")
  local srv = net.createServer(net.TCP)
  local server_side, gone = {}, 0
  srv:listen(port, function(conn)
    server_side[#server_side + 1] = conn
    conn:on("disconnection", function() gone = gone + 1 end)
    if #server_side == 2 then srv:close() end
  end)
  local clients_gone = 0
  for _ = 1, 2 do
    local c = net.createConnection(net.TCP)
    c:on("disconnection", function()
      clients_gone = clients_gone + 1
      if clients_gone < 2 then return end
      tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
        emu.check(function() emu.eq(gone, 2, "each server-side socket heard its close") end)
        done()
      end)
    end)
    c:connect(port, "127.0.0.1")
  end
end)

emu.test("after server:close() the port still accepts, and nothing reaches the script", function()
  local port = emu.free_port("tcp")
  local calls = 0
  local srv = net.createServer(net.TCP, 5)
  srv:listen(port, function(conn)
    calls = calls + 1
    conn:on("receive", function() calls = calls + 1 end)
  end)
  srv:close()
  emu.eq(tostring(srv), "net.server: closed")
  local c = emu.peer.tcp("127.0.0.1", port)  -- the listening pcb is still there
  c:send("hello")
  emu.truthy(c:wait_closed(60000), "the server's timeout closes the connection")
  emu.eq(calls, 0, "no callback: close() dropped it")
  c:close()
end)

emu.test("a listen after close() hands the old port's clients to its callback", function()
  local port = emu.free_port("tcp")
  local srv = net.createServer(net.TCP)
  srv:listen(port, function() error("the first callback was dropped") end)
  srv:close()
  local got = {}
  srv:listen(port, function(conn) got[#got + 1] = "first object" conn:close() end)
  local c = emu.peer.tcp("127.0.0.1", port)
  emu.truthy(c:wait_closed(5000))
  c:close()
  srv:close()
  -- a second object: createServer is allowed again once no callback is set, and shares the
  -- same listening pcbs (pTcpServer)
  local srv2 = net.createServer(net.TCP)
  srv2:listen(port, function(conn) got[#got + 1] = "second object" conn:close() end)
  c = emu.peer.tcp("127.0.0.1", port)
  emu.truthy(c:wait_closed(5000))
  c:close()
  srv2:close()
  emu.same(got, { "first object", "second object" })
end)

emu.test("listen on another port adds a listener; every port reaches the one callback", function()
  local port1, port2 = emu.free_port("tcp"), emu.free_port("tcp")
  local srv = net.createServer(net.TCP)
  srv:listen(port1, function() error("replaced by the second listen") end)
  local got = {}
  srv:listen(port2, function(conn)
    local _, p = conn:getpeer()
    got[#got + 1] = p
    conn:close()
  end)
  local c1 = emu.peer.tcp("127.0.0.1", port1)
  emu.truthy(c1:wait_closed(5000))
  local c2 = emu.peer.tcp("127.0.0.1", port2)
  emu.truthy(c2:wait_closed(5000))
  emu.same(got, { (c1:getaddr()), (c2:getaddr()) })
  c1:close()
  c2:close()
  srv:close()
end)

emu.test("a listen applies the timeout of the last createServer, even a refused one", function()
  local port = emu.free_port("tcp")
  local srv = net.createServer(net.TCP, 3)
  srv:listen(port, function() end)
  local function idle_time()
    local c = emu.peer.tcp("127.0.0.1", port)
    local t0 = emu.now()
    emu.truthy(c:wait_closed(60000))
    c:close()
    return emu.now() - t0
  end
  emu.eq(idle_time(), 3000)
  emu.raises("only one tcp server allowed", net.createServer, net.TCP, 7)
  emu.eq(idle_time(), 3000, "not before a listen")
  srv:listen(port)
  emu.eq(idle_time(), 7000)
  srv:close()
end)

emu.test("a closed server does not keep the run going, though its port still listens", function()
  local out, err, status = emu.run { args = { "--firmware=1" }, script = [[
    local srv = net.createServer(net.TCP)
    srv:listen(0, function() end)
    srv:close()
    print("closed")
  ]] }
  emu.eq(err, "")
  emu.eq(status, 0)
  emu.eq(out, "closed\n")
end)

emu.test("a name that does not resolve: five tries, the firmware's lines, no callback", function()
  local hosts = emu.tmpname()
  emu.write(hosts, "127.0.0.1 known.example\n")
  local out, err, status = emu.run { args = { "--firmware=1", "--hosts", hosts }, script = [[
    local c = net.createConnection(net.TCP)
    for _, e in ipairs({ "connection", "reconnection", "disconnection", "dns" }) do
      c:on(e, function() print("callback " .. e) end)
    end
    c:connect(80, "nowhere.example")
    print("getpeer", c:getpeer())
    local u = net.createConnection(net.UDP)
    u:on("sent", function() print("udp sent") end)
    tmr.alarm(0, 100, tmr.ALARM_SINGLE, function()
      u:connect(9, "nowhere.example")
      u:send("x")
    end)
    tmr.alarm(1, 200, tmr.ALARM_SINGLE, function() u:close() end)
  ]] }
  emu.remove(hosts)
  emu.eq(err, "")
  emu.eq(status, 0)
  local tries = "DNS retry 1!\nDNS retry 2!\nDNS retry 3!\nDNS retry 4!\nDNS Fail!\n"
  emu.eq(out, "getpeer\t255.255.255.255\t80\n" .. tries .. tries)
end)

emu.async("a name that resolves connects without calling the dns callback", function(done)
  local port = emu.free_port("tcp")
  local srv = net.createServer(net.TCP)
  srv:listen(port, function(conn)
    conn:on("sent", function(sck) sck:close() end)
    conn:send("hi")
  end)
  local c = net.createConnection(net.TCP)
  local got
  c:on("dns", function() emu.check(function() error("dns called by connect") end) end)
  c:on("receive", function(_, data) got = data end)
  c:on("disconnection", function()
    emu.check(function() emu.eq(got, "hi") end)
    srv:close()
    done()
  end)
  c:connect(port, "localhost")
end)

emu.test("sck:dns answers a dotted quad inside the call, with the socket", function()
  local c = net.createConnection(net.TCP)
  local got
  c:dns("10.0.0.1", function(sck, ip) got = { sck, ip } end)
  emu.eq(got[1], c)
  emu.eq(got[2], "10.0.0.1")
end)

emu.test("the sixth client of a server is disconnected at once (MAX_SOCKET)", function()
  local port = emu.free_port("tcp")
  local out, err, status = emu.run { args = { "--firmware=1", "--limits", "tcp=0" }, script = [[
    local accepted = 0
    local srv = net.createServer(net.TCP)
    srv:listen(]] .. port .. [[, function(conn) accepted = accepted + 1 end)
    local closed = 0
    for i = 1, 6 do
      local c = net.createConnection(net.TCP)
      c:on("disconnection", function()
        closed = closed + 1
        if closed > 1 then return end
        print("first disconnection; server has " .. accepted)
        srv:close()
      end)
      c:connect(]] .. port .. [[, "127.0.0.1")
    end
  ]] }
  emu.eq(err, "")
  emu.eq(status, 0)
  emu.contains(out, "MAX_SOCKET\n")
  emu.eq(out, "MAX_SOCKET\nfirst disconnection; server has 5\n")
end)

emu.test("an error in a TCP callback is a PANIC", function()
  local port = emu.free_port("tcp")
  local _, err, status = emu.run { args = { "--firmware=1" }, script = [[
    local srv = net.createServer(net.TCP)
    srv:listen(]] .. port .. [[, function(conn) error("bad client") end)
    net.createConnection(net.TCP):connect(]] .. port .. [[, "127.0.0.1")
  ]] }
  emu.eq(status, 1)
  emu.contains(err, "PANIC: unprotected error in call to Lua API (")
  emu.contains(err, "bad client")
end)

emu.test("net.dns.resolve asks through a new net.socket, which the callback gets", function()
  local got
  net.dns.resolve("10.1.2.3", function(sck, ip) got = { sck, ip } end)
  emu.eq(type(got[1]), "userdata")
  emu.eq(methods(got[1]), "close connect dns getpeer hold on send unhold")
  emu.eq(got[2], "10.1.2.3")
  net.dns.resolve("10.1.2.3")  -- no function: no callback, no error
  emu.raises("wrong parameter type (domain)", function() net.dns.resolve() end)
  emu.raises("wrong parameter type (domain)", function() net.dns.resolve({}, print) end)
  emu.raises("need <128 domain", function() net.dns.resolve(("a"):rep(129), print) end)
end)
