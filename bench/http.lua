-- bench/http.lua - the HTTP server `make bench` measures (workload rr-close of ../shared/bench):
-- the typical NodeMCU web server. Each connection reads up to the blank line that ends the
-- request head, answers a fixed HTTP/1.0 response and closes from the "sent" callback (the
-- graceful path; closing inside "receive" would reset the connection, net.md 4.7).
-- Also a UDP echo on the same port number, as the bench's peer interface asks.
-- usage: nodemcu-emu --limits tcp=0 bench/http.lua PORT
local port = assert(tonumber(arg and arg[1]), "usage: nodemcu-emu --limits tcp=0 bench/http.lua PORT")

local RESPONSE = "HTTP/1.0 200 OK\r\nContent-Length: 13\r\n\r\nHello, world!"

-- Firmware 2.x reads createServer(type, timeout), 3.x createServer(timeout); only 3.x has net.ifinfo.
local TIMEOUT = 30
local srv = net.ifinfo and net.createServer(TIMEOUT) or net.createServer(net.TCP, TIMEOUT)
srv:listen(port, function(conn)
  local head = ""
  conn:on("receive", function(c, data)
    head = head .. data
    if head:find("\r\n\r\n", 1, true) then
      c:on("receive", nil)
      c:on("sent", function(s) s:close() end)
      c:send(RESPONSE)
    end
  end)
end)

-- UDP echo, one send() at a time from the "sent" callback, where this build has UDP sockets.
if net.createUDPSocket then
  local udp = net.createUDPSocket()
  udp:listen(port, "127.0.0.1")
  local q, head, tail, busy = {}, 1, 0, false
  local function pump()
    if head > tail then busy = false; return end
    local item = q[head]; q[head] = nil; head = head + 1
    busy = true
    udp:send(item[1], item[2], item[3])
  end
  udp:on("sent", pump)
  udp:on("receive", function(_, data, rport, rip)
    tail = tail + 1; q[tail] = { rport, rip, data }
    if not busy then pump() end
  end)
end
