-- args: --port-map 5683=45683 --host-libs
-- --port-map: device port 5683 is served on host port 45683 (spec net.md 0.6, ARCHITECTURE
-- "Addresses"). The script only ever sees device ports.
local emu = require "emu"

emu.async("a socket on a mapped port reports the device port and hears datagrams sent to it", function(done)
  local rx = net.createUDPSocket()
  rx:on("receive", function(s, data, port, ip)
    emu.check(function() emu.eq(data, "coap?") end)
    s:send(port, ip, "coap!")
  end)
  rx:listen(5683)
  emu.eq(rx:getaddr(), 5683)
  local tx = net.createUDPSocket()
  tx:on("receive", function(_, data, port)
    emu.check(function()
      emu.eq(data, "coap!")
      emu.eq(port, 5683, "the reply comes from the device port")
    end)
    rx:close()
    tx:close()
    done()
  end)
  tx:send(5683, "127.0.0.1", "coap?")
end)

emu.async("a program on the host reaches the mapped port on the host side", function(done)
  local rx = net.createUDPSocket()
  rx:on("receive", function(s, data)
    emu.check(function() emu.eq(data, "from the host") end)
    s:close()
    done()
  end)
  rx:listen(5683)
  local path = os.tmpname()
  emu.write(path, [[
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"from the host", ("127.0.0.1", 45683))
]])
  emu.truthy(os.execute("python3 " .. path) == 0, "python3 peer ran")
  os.remove(path)
end)
