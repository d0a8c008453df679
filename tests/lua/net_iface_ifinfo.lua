-- args: --firmware=3
-- net.ifinfo under the current-release profile (spec net.md 0, 8).
local emu = require "emu"

local function hex(s)
  return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

emu.test("net.ifinfo(0) describes the station: ip, netmask, gateway and a 6-byte hwaddr", function()
  local info = net.ifinfo(0)
  emu.eq(type(info), "table")
  emu.eq(info.ip, "127.0.0.1", "the address the emulator binds")
  emu.eq(info.netmask, "255.0.0.0")
  emu.eq(info.gateway, "127.0.0.1")
  emu.eq(#info.hwaddr, 6, "raw binary MAC")
  emu.eq(hex(info.hwaddr), "5ccf7fa1b2c3")
  emu.eq(info.dhcp, nil, "no DHCP client state in the emulator")
end)

emu.test("net.ifinfo() defaults to the station", function()
  emu.same(net.ifinfo(), net.ifinfo(0))
end)

emu.test("net.ifinfo of another index returns no value at all", function()
  emu.eq(select("#", net.ifinfo(1)), 0, "SoftAP: not emulated")
  emu.eq(select("#", net.ifinfo(2)), 0)
  emu.eq(select("#", net.ifinfo(-1)), 0)
end)

emu.test("net.ifinfo agrees with wifi.sta.getip() and wifi.sta.getmac()", function()
  local info = net.ifinfo(0)
  local ip, netmask, gateway = wifi.sta.getip()
  emu.eq(info.ip, ip)
  emu.eq(info.netmask, netmask)
  emu.eq(info.gateway, gateway)
  local mac = info.hwaddr:gsub(".", function(c) return string.format("%02x:", c:byte()) end):sub(1, -2)
  emu.eq(mac, wifi.sta.getmac())
end)

emu.test("the station address is the one UDP sockets bind and peers see", function()
  local s = net.createUDPSocket()
  s:listen(0, net.ifinfo(0).ip)
  local _, ip = s:getaddr()
  emu.eq(ip, net.ifinfo(0).ip)
  s:close()
end)
