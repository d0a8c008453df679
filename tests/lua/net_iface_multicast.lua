-- net.multicastJoin / net.multicastLeave (spec net.md 8). Joins act on the whole device, as
-- IGMP does: every UDP socket on the group's port hears the group.
local emu = require "emu"

-- Ports no other test uses: multicast and broadcast reach every socket on a port.
local PORT_A, PORT_B, PORT_C = emu.free_udp_port(), emu.free_udp_port(), emu.free_udp_port()

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

-- A listener on `port` that records datagrams; check(got) runs 50 ms after `send()`.
local function scenario(port, bind_ip, steps, done)
  local rx = net.createUDPSocket()
  local got = {}
  rx:on("receive", function(_, data) got[#got + 1] = data end)
  rx:listen(port, bind_ip)
  local tx = net.createUDPSocket()
  local i = 0
  local function step()
    i = i + 1
    if not steps[i] then
      rx:close()
      tx:close()
      return done()
    end
    steps[i](tx, got)
    tmr.create():alarm(50, tmr.ALARM_SINGLE, step)
  end
  step()
end

when_supported("after multicastJoin a socket on the port receives the group's datagrams; after Leave not", function(done)
  scenario(PORT_A, nil, {
    function(tx) tx:send(PORT_A, "239.255.10.1", "before join") end,
    function(tx, got)
      emu.check(function() emu.same(got, {}) end)
      net.multicastJoin("any", "239.255.10.1")
      tx:send(PORT_A, "239.255.10.1", "joined")
    end,
    function(tx, got)
      emu.check(function() emu.same(got, { "joined" }) end)
      net.multicastLeave("any", "239.255.10.1")
      tx:send(PORT_A, "239.255.10.1", "after leave")
    end,
    function(_, got) emu.check(function() emu.same(got, { "joined" }) end) end,
  }, done)
end)

when_supported("joins are counted: two joins need two leaves", function(done)
  scenario(PORT_B, nil, {
    function(tx)
      net.multicastJoin("any", "239.255.10.2")
      net.multicastJoin("127.0.0.1", "239.255.10.2")
      net.multicastLeave("any", "239.255.10.2")
      tx:send(PORT_B, "239.255.10.2", "one left")
    end,
    function(tx, got)
      emu.check(function() emu.same(got, { "one left" }) end)
      net.multicastLeave("any", "239.255.10.2")
      tx:send(PORT_B, "239.255.10.2", "none left")
    end,
    function(_, got) emu.check(function() emu.same(got, { "one left" }) end) end,
  }, done)
end)

when_supported("a socket bound after the join, and to the device's own address, hears the group", function(done)
  net.multicastJoin("any", "239.255.10.3")
  scenario(PORT_C, "127.0.0.1", {
    function(tx) tx:send(PORT_C, "239.255.10.3", "late binder") end,
    function(_, got)
      emu.check(function() emu.same(got, { "late binder" }) end)
      net.multicastLeave("any", "239.255.10.3")
    end,
  }, done)
end)
