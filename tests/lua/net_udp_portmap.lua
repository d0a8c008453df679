-- args: --host-libs
-- --port-map: device port 5683 is served on another host port (spec net.md 0.6, ARCHITECTURE
-- "Addresses"). The script only ever sees device ports. The host port is a free one: this file
-- runs itself again as a child with --port-map 5683=PORT and PORT as its argument (a fixed host
-- port would collide when test runs overlap on one machine).
local emu = require "emu"

local host_port = tonumber(arg and arg[1])
if not host_port then
  -- A free host port from the kernel (the device's own port 0 takes the lowest free from 4097,
  -- the same number in every run).
  local port = emu.free_port("udp")
  emu.test("the cases below, in a child run with --port-map 5683=" .. port, function()
    local out, err, status = emu.run({ file = arg[0], args = { "--port-map", "5683=" .. port, "--host-libs" },
                                       script_args = { tostring(port) } })
    io.write(out)
    emu.eq(status, 0, "the child's status (stderr: " .. err .. ")")
  end)
  return
end

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
  emu.write(path, ([[
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"from the host", ("127.0.0.1", %d))
]]):format(host_port))
  emu.truthy(os.execute("python3 " .. path) == 0, "python3 peer ran")
  os.remove(path)
end)
