-- net under the default profile 2 (the documented 2.x API): no net.ifinfo (spec net.md 0).
local emu = require "emu"

emu.test("net.ifinfo is absent under --firmware=2", function()
  emu.eq(net.ifinfo, nil)
end)

emu.test("net.multicastJoin and net.multicastLeave exist under both profiles", function()
  emu.eq(type(net.multicastJoin), "function")
  emu.eq(type(net.multicastLeave), "function")
end)

emu.test("net.dns has resolve, getdnsserver and setdnsserver", function()
  emu.eq(type(net.dns.resolve), "function")
  emu.eq(type(net.dns.getdnsserver), "function")
  emu.eq(type(net.dns.setdnsserver), "function")
end)
