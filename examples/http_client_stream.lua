-- A client that fetches a page and a server that streams a large response in 1 KiB parts,
-- each sent from the previous part's "sent" callback (the device's 2920-byte send buffer
-- never holds more than one part). Runs by itself: nodemcu-emu examples/http_client_stream.lua
local body_size = 64 * 1024

local srv = net.createServer(net.TCP, 30)
srv:listen(0, function(conn)
  conn:on("receive", function(sck, request)
    if not request:find("\r\n\r\n", 1, true) then return end
    local left = body_size
    sck:send("HTTP/1.0 200 OK\r\nContent-Length: " .. body_size .. "\r\n\r\n", function(s)
      if left == 0 then s:close() return end
      local n = math.min(1024, left)
      left = left - n
      s:send(string.rep("x", n))
    end)
  end)
end)
local port = srv:getaddr()

local received, t0 = 0, tmr.now()
local cl = net.createConnection(net.TCP)
cl:on("connection", function(sck)
  sck:send("GET /big HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
end)
cl:on("receive", function(_, data) received = received + #data end)
cl:on("disconnection", function(_, err)
  print(string.format("got %d bytes (headers included) in %.1f ms, err %d",
    received, (tmr.now() - t0) / 1000, err))
  srv:close()
end)
cl:connect(port, "127.0.0.1")
