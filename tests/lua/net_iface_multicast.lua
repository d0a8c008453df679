-- net.multicastJoin / net.multicastLeave (spec net.md 8). Joins act on the whole device, as
-- IGMP does: every UDP socket on the group's port hears the group.
local emu = require "emu"


emu.test("the interface and group must be strings or numbers: wrong arg type", function()
  emu.raises("wrong arg type", net.multicastJoin)
  emu.raises("wrong arg type", net.multicastJoin, {}, "239.1.2.3")
  emu.raises("wrong arg type", net.multicastJoin, "any")
  emu.raises("wrong arg type", net.multicastLeave, "any", true)
end)

emu.test("an interface address of the wrong length raises invalid if ip", function()
  emu.raises("invalid if ip", net.multicastJoin, "1.2.3", "239.1.2.3")
  emu.raises("invalid if ip", net.multicastJoin, "1234.1234.1234.1", "239.1.2.3")
  emu.raises("invalid if ip", net.multicastLeave, "an", "239.1.2.3")
  -- the interface is checked before the group's type
  emu.raises("invalid if ip", net.multicastJoin, "1.2", 5)
end)

emu.test("a group address of the wrong length raises invalid multicast ip", function()
  emu.raises("invalid multicast ip", net.multicastJoin, "any", "239.1")
  emu.raises("invalid multicast ip", net.multicastJoin, "", "2391.2391.2391.1")
  emu.raises("invalid multicast ip", net.multicastLeave, "127.0.0.1", "")
end)

emu.test("\"\", \"any\" (any case) and the device's address are accepted; nothing is returned", function()
  emu.eq(select("#", net.multicastJoin("", "239.7.7.1")), 0)
  emu.eq(select("#", net.multicastJoin("ANY", "239.7.7.1")), 0)
  emu.eq(select("#", net.multicastJoin("127.0.0.1", "239.7.7.1")), 0)
  for _ = 1, 3 do net.multicastLeave("any", "239.7.7.1") end
end)

emu.test("a well-formed but meaningless address is ignored without an error", function()
  net.multicastJoin("any", "10.0.0.1")      -- not a multicast group
  net.multicastJoin("any", "not.an.ip.x")   -- not an address at all
  net.multicastJoin("10.9.8.7", "239.7.7.2")  -- no interface has that address
  net.multicastLeave("any", "239.99.99.99") -- never joined
end)

-- Delivery needs multicast on the host's loopback; some hosts refuse it (the emulator then
-- warns and the device-side behaviour is unchanged). Probe once in a child emulator.
local function host_has_loopback_multicast()
  local _, err = emu.run({ script = [[
    local s = net.createUDPSocket()
    s:listen(0)
    net.multicastJoin("any", "239.255.77.1")
    s:close()
  ]] })
  return not err:find("refused multicast", 1, true)
end
local multicast_ok = host_has_loopback_multicast()

local function when_supported(name, fn, timeout)
  if multicast_ok then return emu.async(name, fn, timeout) end
  emu.skip(name, "this host has no multicast on loopback")
end

-- A listener on a free port that records datagrams; each step gets (tx, got, port) and the next
-- runs 50 ms later. The port is the listener's own (port 0): multicast and broadcast reach every
-- socket on a port, so a fixed number would mix overlapping test runs.
local function scenario(bind_ip, steps, done)
  local rx = net.createUDPSocket()
  local got = {}
  rx:on("receive", function(_, data) got[#got + 1] = data end)
  rx:listen(0, bind_ip)
  local port = rx:getaddr()
  local tx = net.createUDPSocket()
  local i = 0
  local function step()
    i = i + 1
    if not steps[i] then
      rx:close()
      tx:close()
      return done()
    end
    steps[i](tx, got, port)
    tmr.create():alarm(50, tmr.ALARM_SINGLE, step)
  end
  step()
end

when_supported("after multicastJoin a socket on the port receives the group's datagrams; after Leave not", function(done)
  scenario(nil, {
    function(tx, _, port) tx:send(port, "239.255.10.1", "before join") end,
    function(tx, got, port)
      emu.check(function() emu.same(got, {}) end)
      net.multicastJoin("any", "239.255.10.1")
      tx:send(port, "239.255.10.1", "joined")
    end,
    function(tx, got, port)
      emu.check(function() emu.same(got, { "joined" }) end)
      net.multicastLeave("any", "239.255.10.1")
      tx:send(port, "239.255.10.1", "after leave")
    end,
    function(_, got) emu.check(function() emu.same(got, { "joined" }) end) end,
  }, done)
end)

when_supported("a burst of equal datagrams to a group arrives one by one, in order", function(done)
  net.multicastJoin("any", "239.255.10.9")
  scenario(nil, {
    function(tx, _, port)
      for i = 1, 6 do tx:send(port, "239.255.10.9", "g" .. i) end
    end,
    function(_, got)
      emu.check(function() emu.same(got, { "g1", "g2", "g3", "g4", "g5", "g6" }) end)
      net.multicastLeave("any", "239.255.10.9")
    end,
  }, done)
end)

when_supported("joins are counted: two joins need two leaves", function(done)
  scenario(nil, {
    function(tx, _, port)
      net.multicastJoin("any", "239.255.10.2")
      net.multicastJoin("127.0.0.1", "239.255.10.2")
      net.multicastLeave("any", "239.255.10.2")
      tx:send(port, "239.255.10.2", "one left")
    end,
    function(tx, got, port)
      emu.check(function() emu.same(got, { "one left" }) end)
      net.multicastLeave("any", "239.255.10.2")
      tx:send(port, "239.255.10.2", "none left")
    end,
    function(_, got) emu.check(function() emu.same(got, { "one left" }) end) end,
  }, done)
end)

when_supported("a socket bound after the join, and to the device's own address, hears the group", function(done)
  net.multicastJoin("any", "239.255.10.3")
  scenario("127.0.0.1", {
    function(tx, _, port) tx:send(port, "239.255.10.3", "late binder") end,
    function(_, got)
      emu.check(function() emu.same(got, { "late binder" }) end)
      net.multicastLeave("any", "239.255.10.3")
    end,
  }, done)
end)
