-- args: --hosts fixtures/hosts
-- net.dns.resolve/getdnsserver/setdnsserver (spec net.md 7; checklist N20, N25, N26). Names come
-- from fixtures/hosts: --hosts is authoritative, so no DNS server is ever asked.
local emu = require "emu"

emu.test("N20 resolve of a dotted quad calls fn(nil, ip) before it returns", function()
  local calls = {}
  net.dns.resolve("1.2.3.4", function(...) calls[#calls + 1] = { n = select("#", ...), ... } end)
  emu.eq(#calls, 1, "called synchronously")
  emu.eq(calls[1].n, 2)
  emu.eq(calls[1][1], nil, "first argument is nil")
  emu.eq(calls[1][2], "1.2.3.4")
end)

emu.test("resolve normalises a dotted quad the way ipaddr_aton reads it", function()
  local got
  net.dns.resolve("10.1", function(_, ip) got = ip end)
  emu.eq(got, "10.0.0.1")
end)

emu.async("N20 resolve of a host name answers later with fn(nil, ip)", function(done)
  local returned = false
  net.dns.resolve("far.test", function(...)
    local n, first, ip = select("#", ...), ...
    emu.check(function()
      emu.truthy(returned, "asynchronous")
      emu.eq(n, 2)
      emu.eq(first, nil, "first argument is always nil")
      emu.eq(ip, "10.20.30.40")
    end)
    done()
  end)
  returned = true
end)

emu.async("names are case-insensitive and aliases resolve", function(done)
  net.dns.resolve("ALIAS.Far.Test", function(_, ip)
    emu.check(function() emu.eq(ip, "10.20.30.40") end)
    done()
  end)
end)

emu.async("N20 a name that does not resolve gives fn(nil, nil), asynchronously, without a hang", function(done)
  local returned = false
  net.dns.resolve("no-such-host.test", function(first, ip)
    emu.check(function()
      emu.truthy(returned, "asynchronous")
      emu.eq(first, nil)
      emu.eq(ip, nil)
    end)
    done()
  end)
  returned = true
end, 20000)

emu.async("255.255.255.255 is not taken as a dotted quad: it is looked up, and fails", function(done)
  local sync = true
  net.dns.resolve("255.255.255.255", function(_, ip)
    emu.check(function()
      emu.eq(sync, false, "asynchronous")
      emu.eq(ip, nil)
    end)
    done()
  end)
  sync = false
end)

emu.async("an answer of 255.255.255.255 is reported as a failure (lwIP's no-answer marker)", function(done)
  net.dns.resolve("broadcast.test", function(_, ip)
    emu.check(function() emu.eq(ip, nil) end)
    done()
  end)
end)

emu.test("resolve of an empty name or one of 256+ characters raises illegal argument", function()
  emu.raises("illegal argument", net.dns.resolve, "", function() end)
  emu.raises("illegal argument", net.dns.resolve, string.rep("a", 256), function() end)
end)

emu.async("a name of 255 characters is accepted (and here does not resolve)", function(done)
  net.dns.resolve(string.rep("a", 255), function(_, ip)
    emu.check(function() emu.eq(ip, nil) end)
    done()
  end)
end)

emu.test("resolve checks its arguments like lauxlib", function()
  -- called by name, as a script does, so that lauxlib can name the function
  emu.raises("bad argument #1 to 'resolve' (string expected, got no value)",
    function() net.dns.resolve() end)
  -- 2.2.1's net_dns_static: luaL_checkanyfunction (3.0: luaL_checktype, "function expected")
  emu.raises("bad argument #2 to 'resolve' (function or lightfunction expected, got no value)",
    function() net.dns.resolve("x.test") end)
  emu.raises("bad argument #2 to 'resolve' (function or lightfunction expected, got number)",
    function() net.dns.resolve("x.test", 5) end)
  local out = emu.run { args = { "--firmware=3" }, script = "print(select(2, pcall(net.dns.resolve, 'x.test', 5)))" }
  emu.eq(out, "bad argument #2 to '?' (function expected, got number)\n")
end)

emu.test("N26 resolve errors carry no file:line: prefix", function()
  local ok, err = pcall(net.dns.resolve, "", print)
  emu.eq(ok, false)
  emu.eq(err, "illegal argument")
end)

emu.async("the DNS table holds 4 queries in flight: a fifth raises out of memory, then frees", function(done)
  local answered = 0
  for _ = 1, 4 do
    net.dns.resolve("peer.test", function() answered = answered + 1 end)
  end
  emu.raises("out of memory", net.dns.resolve, "peer.test", function() end)
  emu.eq(answered, 0)
  -- a dotted quad needs no table entry
  net.dns.resolve("4.3.2.1", function() end)
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(answered, 4) end)
    net.dns.resolve("peer.test", function(_, ip)
      emu.check(function() emu.eq(ip, "127.0.0.1") end)
      done()
    end)
  end)
end)

emu.test("an error in a synchronous resolve callback reaches the caller", function()
  local ok, err = pcall(net.dns.resolve, "1.2.3.4", function() error("sync boom", 0) end)
  emu.eq(ok, false)
  emu.eq(err, "sync boom")
end)

emu.test("N27 an error in an asynchronous resolve callback is a PANIC", function()
  local _, err, status = emu.run({ args = { "--hosts", "fixtures/hosts" }, script = [[
    net.dns.resolve("far.test", function(_, ip) error("late boom " .. ip) end)
  ]] })
  emu.eq(status, 1)
  emu.contains(err, "PANIC: unprotected error in call to Lua API (")
  emu.contains(err, "late boom 10.20.30.40")
end)

-- DNS servers

emu.test("getdnsserver: slot 0 is lwIP's default 208.67.222.222, slot 1 is unset (nil)", function()
  emu.eq(net.dns.getdnsserver(), "208.67.222.222")
  emu.eq(net.dns.getdnsserver(0), "208.67.222.222")
  emu.eq(net.dns.getdnsserver(1), nil)
end)

emu.test("N25 getdnsserver(2) raises server index out of range [0-1]", function()
  emu.raises("server index out of range [0-1]", net.dns.getdnsserver, 2)
  emu.raises("server index out of range [0-1]", net.dns.getdnsserver, 100)
end)

emu.test("getdnsserver with a negative index returns nil (the index is a u8 in lwIP)", function()
  emu.eq(net.dns.getdnsserver(-1), nil)
  emu.eq(net.dns.getdnsserver(-100), nil)
end)

emu.test("setdnsserver sets a slot; getdnsserver reads it back", function()
  net.dns.setdnsserver("9.9.9.9")
  emu.eq(net.dns.getdnsserver(0), "9.9.9.9")
  net.dns.setdnsserver("1.0.0.1", 1)
  emu.eq(net.dns.getdnsserver(1), "1.0.0.1")
  net.dns.setdnsserver("208.67.222.222", 0)
  emu.eq(net.dns.getdnsserver(0), "208.67.222.222")
end)

emu.test("N25 setdnsserver(\"0.0.0.0\") raises invalid dns server ip, as do broadcast and garbage", function()
  emu.raises("invalid dns server ip", net.dns.setdnsserver, "0.0.0.0")
  emu.raises("invalid dns server ip", net.dns.setdnsserver, "255.255.255.255")
  emu.raises("invalid dns server ip", net.dns.setdnsserver, "dns.example")
  emu.raises("invalid dns server ip", net.dns.setdnsserver, "")
  emu.raises("invalid dns server ip", net.dns.setdnsserver, "001.002.003.004.5")  -- > 16 chars
end)

emu.test("setdnsserver checks the address before the index", function()
  emu.raises("invalid dns server ip", net.dns.setdnsserver, "0.0.0.0", 5)
  emu.raises("server index out of range [0-1]", net.dns.setdnsserver, "8.8.4.4", 2)
end)

emu.test("setdnsserver with a negative index changes nothing and raises nothing", function()
  local before0, before1 = net.dns.getdnsserver(0), net.dns.getdnsserver(1)
  net.dns.setdnsserver("7.7.7.7", -1)
  emu.eq(net.dns.getdnsserver(0), before0)
  emu.eq(net.dns.getdnsserver(1), before1)
end)

emu.test("setdnsserver needs a string", function()
  emu.raises("bad argument #1 to 'setdnsserver' (string expected, got no value)",
    function() net.dns.setdnsserver() end)
end)
