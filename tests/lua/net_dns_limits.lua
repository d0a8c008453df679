-- args: --hosts fixtures/hosts --limits dns=2,dns-servers=3
-- net.dns under other lwIP limits (--limits dns=N is DNS_TABLE_SIZE, dns-servers=N is
-- DNS_MAX_SERVERS; spec net.md 0.5, 7, 10).
local emu = require "emu"

emu.test("with --limits dns=2 the third query in flight raises out of memory", function()
  net.dns.resolve("peer.test", function() end)
  local s = net.createUDPSocket()
  s:dns("far.test", function() end)  -- socket queries share the table
  emu.raises("out of memory", net.dns.resolve, "device.test", function() end)
  emu.raises("out of memory", s.dns, s, "device.test")
end)

emu.test("with --limits dns-servers=3 the index range is [0-2]", function()
  emu.raises("server index out of range [0-2]", net.dns.getdnsserver, 3)
  emu.raises("server index out of range [0-2]", net.dns.setdnsserver, "8.8.8.8", 3)
  net.dns.setdnsserver("8.8.8.8", 2)
  emu.eq(net.dns.getdnsserver(2), "8.8.8.8")
end)
