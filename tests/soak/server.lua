-- The soak test's device: an HTTP-style echo server written the NodeMCU way, run by
-- tests/soak/load.py under mixed hostile load for minutes (make soak).
--   POST /echo HTTP/1.1 ... Content-Length: N ... <N bytes>  ->  200, Content-Length: N, the body
-- The body is echoed as it arrives, one send at a time chained over "sent", with hold()/unhold()
-- as flow control (the header is queued as {text}: not counted as echoed body): per connection the device never keeps more than one frame, so its heap stays
-- flat whatever a client sends or refuses to read. The connection is closed (from "sent") once the
-- body has gone out. Usage: nodemcu-emu tests/soak/server.lua [port]  (0: a free port, printed)
local port = tonumber(arg and arg[1]) or 0
local stats = { conns = 0, done = 0, dropped = 0, bytes_in = 0, bytes_out = 0, bad = 0 }

local function answer(status, text)
  return "HTTP/1.1 " .. status .. "\r\nContent-Length: " .. #text .. "\r\nConnection: close\r\n\r\n" .. text
end

local srv = net.createServer(net.TCP, 10)
srv:listen(port, function(conn)
  stats.conns = stats.conns + 1
  local head, want, echoed = "", nil, 0
  local queue, sending, closing = {}, false, false
  local in_flight = 0 -- body bytes of the send now in progress (the header is not counted)

  local function pump(sck)
    stats.bytes_out = stats.bytes_out + in_flight
    in_flight = 0
    if #queue == 0 then
      sending = false
      if closing then
        sck:close()
        stats.done = stats.done + 1
      else
        sck:unhold()
      end
      return
    end
    sending = true
    local part = table.remove(queue, 1)
    if type(part) == "table" then part = part[1] else in_flight = #part end
    sck:send(part)
  end

  local function body(sck, data)
    if #data == 0 then return end
    if echoed + #data > want then data = data:sub(1, want - echoed) end -- ignore anything after
    echoed = echoed + #data
    stats.bytes_in = stats.bytes_in + #data
    queue[#queue + 1] = data
    if echoed == want then closing = true end
    sck:hold()
    if not sending then pump(sck) end
  end

  conn:on("sent", pump)
  conn:on("receive", function(sck, data)
    if closing then return end
    if want then return body(sck, data) end
    head = head .. data
    local stop = head:find("\r\n\r\n", 1, true)
    if not stop then
      if #head > 1024 then -- not a request this server takes
        stats.bad = stats.bad + 1
        closing = true
        queue[#queue + 1] = { answer("431 Request Header Fields Too Large", "") }
        if not sending then pump(sck) end
      end
      return
    end
    local n = tonumber(head:sub(1, stop):match("\r\n[Cc]ontent%-[Ll]ength:%s*(%d+)"))
    local rest = head:sub(stop + 4)
    head = nil
    want = n or 0
    queue[#queue + 1] = { "HTTP/1.1 200 OK\r\nContent-Length: " .. want .. "\r\nConnection: close\r\n\r\n" }
    if want == 0 then closing = true end
    if not sending then pump(sck) end
    body(sck, rest)
  end)
  conn:on("disconnection", function()
    if not closing or sending then stats.dropped = stats.dropped + 1 end
  end)
end)
print("soak: listening on port " .. srv:getaddr())

-- A stats line every 5 s: the driver keeps the last one (the device's own view of the bytes).
tmr.create():alarm(5000, tmr.ALARM_AUTO, function()
  print(string.format("soak: stats conns=%d done=%d dropped=%d bad=%d bytes_in=%d bytes_out=%d lua_kb=%d heap=%d",
    stats.conns, stats.done, stats.dropped, stats.bad, stats.bytes_in, stats.bytes_out,
    collectgarbage("count"), node.heap()))
end)
