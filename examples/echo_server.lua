-- A TCP echo server the NodeMCU way: one outstanding send per socket, the rest queued and
-- sent from the "sent" callback. Usage: nodemcu-emu examples/echo_server.lua [port]
-- Try it: printf 'hello\n' | nc -q1 127.0.0.1 7777
local port = tonumber(arg and arg[1]) or 7777

local srv = net.createServer(net.TCP, 60)
srv:listen(port, function(conn)
  local queue, sending = {}, false
  local function pump(sck)
    if #queue == 0 then sending = false return end
    sending = true
    sck:send(table.remove(queue, 1))
  end
  conn:on("sent", pump)
  conn:on("receive", function(sck, data)
    queue[#queue + 1] = data
    if not sending then pump(sck) end
  end)
  conn:on("disconnection", function(_, err) print("client left", err) end)
  print("client from", conn:getpeer())
end)
print("echo server on port", (srv:getaddr()))
