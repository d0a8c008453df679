-- bench/echo.lua - the echo server `make bench` measures (workloads echo64, echo1460, echo16k,
-- hold and udp of ../shared/bench). An ordinary NodeMCU script: what arrives on a connection is
-- sent back with the usual idiom, a queue drained one send() at a time from the "sent" callback
-- (the same application as ../shared/bench/peers/luv_echo_framed.lua, the fair peer).
-- usage: nodemcu-emu --limits tcp=0 bench/echo.lua PORT
local port = assert(tonumber(arg and arg[1]), "usage: nodemcu-emu --limits tcp=0 bench/echo.lua PORT")

-- A FIFO drained one send at a time from the "sent" callback. `send_item` does the actual
-- send() for one queued item (TCP: the data; UDP: {port, ip, data}).
local function sender(sock, send_item)
  local q, head, tail, busy = {}, 1, 0, false
  local function pump()
    if head > tail then busy = false; return end
    local item = q[head]; q[head] = nil; head = head + 1
    busy = true
    send_item(sock, item)
  end
  sock:on("sent", pump)
  return function(item)
    tail = tail + 1; q[tail] = item
    if not busy then pump() end
  end
end

local function send_tcp(sock, data) sock:send(data) end
local function send_udp(sock, item) sock:send(item[1], item[2], item[3]) end

-- UDP echo on the same port number, where this build has UDP sockets. Bound before the TCP
-- server listens: drivers take a connectable TCP port as "ready" for both.
if net.createUDPSocket then
  local udp = net.createUDPSocket()
  udp:listen(port, "127.0.0.1")
  local enqueue = sender(udp, send_udp)
  udp:on("receive", function(_, data, rport, rip) enqueue({ rport, rip, data }) end)
end

-- The longest documented inactivity timeout, so that `hold` keeps its idle connections.
-- Firmware 2.x reads createServer(type, timeout), 3.x createServer(timeout); only 3.x has net.ifinfo.
local TIMEOUT = 28800
local srv = net.ifinfo and net.createServer(TIMEOUT) or net.createServer(net.TCP, TIMEOUT)
srv:listen(port, function(conn)
  local enqueue = sender(conn, send_tcp)
  conn:on("receive", function(_, data) enqueue(data) end)
end)
