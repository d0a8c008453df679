-- args: --hosts fixtures/hosts
-- udpsocket:dns(host, [fn]) (spec net.md 4.11, 5.4, 6; checklist N20).
local emu = require "emu"

local function udp() return net.createUDPSocket() end

emu.test("N20 sck:dns of a dotted quad calls fn(sck, ip) inside dns()", function()
  local s = udp()
  local got
  s:dns("10.1.2.3", function(...) got = { n = select("#", ...), ... } end)
  emu.eq(got.n, 2)
  emu.eq(got[1], s)
  emu.eq(got[2], "10.1.2.3")
end)

emu.async("N20 sck:dns of a host name answers later with fn(sck, ip)", function(done)
  local s = udp()
  local returned = false
  s:dns("far.test", function(sck, ip)
    emu.check(function()
      emu.truthy(returned, "asynchronous")
      emu.eq(sck, s)
      emu.eq(ip, "10.20.30.40")
    end)
    done()
  end)
  returned = true
end)

emu.async("N20 a name that does not resolve gives fn(sck, nil)", function(done)
  local s = udp()
  s:dns("nowhere.test", function(sck, ip)
    emu.check(function()
      emu.eq(sck, s)
      emu.eq(ip, nil)
    end)
    done()
  end)
end, 20000)

emu.async("dns(host, fn) makes fn the dns handler for later dns(host) calls", function(done)
  local s = udp()
  local seen = {}
  s:dns("1.1.1.1", function(_, ip)
    seen[#seen + 1] = ip
    if #seen == 2 then
      emu.check(function() emu.same(seen, { "1.1.1.1", "127.0.0.1" }) end)
      done()
    end
  end)
  s:dns("peer.test")
end)

emu.async("the dns handler can be set with on(\"dns\", fn)", function(done)
  local s = udp()
  s:on("dns", function(_, ip)
    emu.check(function() emu.eq(ip, "10.20.30.40") end)
    done()
  end)
  s:dns("far.test")
end)

emu.async("an unbound socket waiting for DNS survives collectgarbage, then is let go", function(done)
  local weak = setmetatable({}, { __mode = "v" })
  do
    local s = udp()
    weak[1] = s
    s:dns("far.test", function(sck, ip)
      emu.check(function() emu.eq(ip, "10.20.30.40") end)
      tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
        collectgarbage()
        collectgarbage()
        emu.check(function() emu.eq(weak[1], nil, "collected once answered") end)
        done()
      end)
    end)
  end
  collectgarbage()
  collectgarbage()
  emu.truthy(weak[1] ~= nil, "pinned while the query is pending")
end)

emu.async("close() while a dns() query is pending: the answer still reaches the handler", function(done)
  local s = udp()
  s:listen(0)
  s:dns("peer.test", function(sck, ip)
    emu.check(function()
      emu.eq(ip, "127.0.0.1")
      emu.eq(sck:getaddr(), nil, "closed")
    end)
    done()
  end)
  s:close()
end)

emu.async("the resolved address can be used to send", function(done)
  local rx = udp()
  rx:on("receive", function(_, data)
    emu.check(function() emu.eq(data, "via dns") end)
    rx:close()
    done()
  end)
  rx:listen(0)
  local tx = udp()
  tx:dns("device.test", function(s, ip)
    s:send((rx:getaddr()), ip, "via dns")
    s:close()
  end)
end)
