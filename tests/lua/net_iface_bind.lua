-- args: --firmware=3 --bind 127.0.0.2
-- A device on another loopback address (--bind): ifinfo, getaddr and the source address its
-- peers see all follow it (spec net.md 0.6).
local emu = require "emu"

emu.test("net.ifinfo(0).ip is the --bind address", function()
  emu.eq(net.ifinfo(0).ip, "127.0.0.2")
  emu.eq(net.ifinfo(0).netmask, "255.0.0.0")
end)

emu.async("datagrams between the device's sockets come from the --bind address", function(done)
  local rx = net.createUDPSocket()
  rx:on("receive", function(_, data, port, ip)
    emu.check(function()
      emu.eq(data, "hi")
      emu.eq(ip, "127.0.0.2")
    end)
    rx:close()
    done()
  end)
  rx:listen(0)
  local tx = net.createUDPSocket()
  tx:send((rx:getaddr()), "127.0.0.2", "hi")
  tx:close()
end)

emu.test("listening on 127.0.0.1, which is not this device's address, still binds", function()
  -- lwIP binds any address; such a pcb hears only broadcast/multicast and cannot send
  local s = net.createUDPSocket()
  s:listen(0, "127.0.0.1")
  local _, ip = s:getaddr()
  emu.eq(ip, "127.0.0.1")
  emu.raises("illegal value", s.send, s, 9, "127.0.0.2", "x")
  s:close()
end)
