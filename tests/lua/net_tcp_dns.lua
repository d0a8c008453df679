-- args: --hosts fixtures/tcp_hosts
-- net TCP with host names: connect() and sck:dns() through the --hosts table (spec 4.1, 4.11).
local emu = require "emu"

emu.async("N20 connect() to a host name resolves asynchronously, dns handler first", function(done)
  local srv = net.createServer()
  srv:listen(0, function() end)
  local order = {}
  local cl = net.createConnection()
  cl:on("dns", function(_, ip) order[#order + 1] = "dns " .. tostring(ip) end)
  cl:on("connection", function(s)
    emu.check(function() emu.same(order, { "after connect", "dns 127.0.0.1" }) end)
    s:close()
    srv:close()
    done()
  end)
  cl:connect((srv:getaddr()), "peer.test")
  -- during the DNS wait: send is refused, getpeer shows port and 0.0.0.0
  emu.raises("not connected", cl.send, cl, "x")
  local port, ip = cl:getpeer()
  emu.eq(ip, "0.0.0.0")
  order[#order + 1] = "after connect"
end)

emu.async("N28 a name that does not resolve: dns handler gets nil, no connection, then -8", function(done)
  local cl = net.createConnection()
  local saw_dns = false
  cl:on("dns", function(_, ip) saw_dns = true; emu.check(function() emu.eq(ip, nil) end) end)
  cl:on("connection", function() emu.check(function() error("must not connect") end) end)
  cl:on("disconnection", function(_, err)
    emu.check(function()
      emu.truthy(saw_dns, "dns handler called")
      emu.eq(err, -8)
    end)
    done()
  end)
  cl:connect(80, "no-such-host.test")
end, 120000)

emu.async("sck:dns(name, fn) answers asynchronously; a dotted quad synchronously", function(done)
  local s = net.createConnection()
  local sync = nil
  s:dns("10.1.2.3", function(_, ip) sync = ip end)
  emu.eq(sync, "10.1.2.3")
  s:dns("device.test", function(sck, ip)
    emu.check(function()
      emu.eq(sck, s)
      emu.eq(ip, "127.0.0.1")
    end)
    done()
  end)
end)

emu.test("the DNS table holds 4 queries: a fifth raises out of memory", function()
  local socks = {}
  for i = 1, 4 do
    socks[i] = net.createConnection()
    socks[i]:dns("peer.test", function() end)
  end
  local fifth = net.createConnection()
  emu.raises("out of memory", fifth.dns, fifth, "peer.test", function() end)
end)

emu.test("connect to a name of 256 characters raises illegal argument", function()
  local s = net.createConnection()
  emu.raises("illegal argument", s.connect, s, 80, string.rep("a", 256))
end)
