-- A UDP echo server the NodeMCU way: every datagram is answered to the port and address the
-- "receive" callback reports (they come after the data, unlike TCP's callback).
-- Usage: nodemcu-emu examples/udp_echo.lua [port]       (default 7777; runs until Ctrl-C)
-- Try it: echo hello | nc -u -w1 127.0.0.1 7777
local port = tonumber(arg and arg[1]) or 7777

local echo = net.createUDPSocket()
echo:on("receive", function(sck, data, from_port, from_ip)
  print(string.format("%d bytes from %s:%d", #data, from_ip, from_port))
  sck:send(from_port, from_ip, data)
end)
echo:listen(port)
print("UDP echo server on port", (echo:getaddr()))

-- Say hello to ourselves once, so a plain run shows a round trip: the first send() binds the
-- client socket to a free port (from 4096 up, as lwIP does), and its "sent" callback runs
-- before send() returns.
local client = net.createUDPSocket()
client:on("receive", function(sck, data)
  print("echoed back: " .. data)
  sck:close()
end)
client:send(port, "127.0.0.1", "hello, echo", function() print("sent (inside send)") end)
