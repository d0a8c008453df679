-- web: the sensor's average over HTTP, and pushed to a collector. A small app for the device,
-- tested on a PC by ../web_spec.lua with in-process peers (emu.peer).
local sensor = require "sensor"
local M = {}

local function reply(c, status, body)
  c:send("HTTP/1.0 " .. status .. "\r\nContent-Type: application/json\r\nContent-Length: " ..
    #body .. "\r\n\r\n" .. body)
end

-- An HTTP/1.0 server on `port`: GET /average gives {"average":N} (null before the first
-- sample), anything else 404. A request may arrive in several frames: it is answered once its
-- headers are complete, then the connection closes.
function M.serve(port)
  local server = net.createServer(net.TCP, 30)
  server:listen(port, function(conn)
    local request = ""
    conn:on("receive", function(c, data)
      request = request .. data
      if not request:find("\r\n\r\n", 1, true) then return end
      local path = request:match("^GET (%S+) HTTP/1%.%d\r\n")
      if path == "/average" then
        local avg = sensor.average()
        reply(c, "200 OK", '{"average":' .. (avg and string.format("%d", avg) or "null") .. "}")
      else
        reply(c, "404 Not Found", '{"error":"not found"}')
      end
    end)
    conn:on("sent", function(c) c:close() end)
  end)
  return server
end

-- Pushes the average to a collector at ip:port: one line "average=N\n", then closes.
-- on_done(ok) when the connection has ended.
function M.push(ip, port, on_done)
  local conn = net.createConnection(net.TCP, 0)
  conn:on("connection", function(c) c:send("average=" .. tostring(sensor.average()) .. "\n") end)
  conn:on("sent", function(c) c:close(); if on_done then on_done(true) end end)
  conn:on("reconnection", function() if on_done then on_done(false) end end)
  conn:connect(port, ip)
  return conn
end

return M
