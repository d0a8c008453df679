-- httpd.lua: the web server proper. Static files come from flash under "http/" (so the URL
-- /style.css is the flash file http/style.css); /api/status and POST /api/echo speak JSON.
--
-- Written against the ESP8266's limits:
--  * a socket holds at most 2920 unsent bytes, so a response goes out one piece of at most
--    1460 bytes at a time, the next one from the "sent" callback of the previous one;
--  * only 4 files can be open, so a file being served is opened, read and closed again for
--    each piece instead of staying open for the whole response;
--  * a request (and a POST body) arrives in several "receive" frames of at most 1460 bytes.
local M = {}

local PIECE = 1460
local MAX_HEAD = 2048
local MAX_BODY = 16384
local MIME = {
  html = "text/html", htm = "text/html", css = "text/css", js = "application/javascript",
  json = "application/json", txt = "text/plain", png = "image/png", ico = "image/x-icon",
  bin = "application/octet-stream",
}
local REASON = {
  [200] = "OK", [400] = "Bad Request", [404] = "Not Found", [405] = "Method Not Allowed",
  [413] = "Payload Too Large", [431] = "Request Header Fields Too Large",
}

local stats = { requests = 0, bytes_sent = 0 }

-- One response stream per connection: a queue of strings and producer functions (a producer
-- returns the next piece, or nil when it has no more). One piece is outstanding at a time.
local function new_stream(sck)
  local queue, busy, closing = {}, false, false
  local stream = {}

  local function next_piece()
    while queue[1] do
      local item = queue[1]
      if type(item) == "string" then
        table.remove(queue, 1)
        if #item > 0 then return item end
      else
        local piece = item()
        if piece then return piece end
        table.remove(queue, 1)
      end
    end
  end

  local function pump(s)
    local piece = next_piece()
    if piece then
      busy = true
      stats.bytes_sent = stats.bytes_sent + #piece
      s:send(piece)
    else
      busy = false
      if closing then closing = false s:close() end
    end
  end
  sck:on("sent", pump)

  function stream.write(item)
    if type(item) == "string" then
      for i = 1, #item, PIECE do queue[#queue + 1] = item:sub(i, i + PIECE - 1) end
    else
      queue[#queue + 1] = item
    end
    if not busy then pump(sck) end
  end
  -- Close once everything queued has been sent (closing from "sent", never from "receive").
  function stream.finish()
    closing = true
    if not busy then pump(sck) end
  end
  return stream
end

local function file_pieces(name)
  local pos = 0
  return function()
    local f = file.open(name, "r")
    if not f then return nil end
    f:seek("set", pos)
    local data = f:read(PIECE)
    f:close()
    if data then pos = pos + #data end
    return data
  end
end

local function head(code, ctype, length)
  return string.format("HTTP/1.0 %d %s\r\nServer: NodeMCU on ESP8266\r\nContent-Type: %s\r\n"
    .. "Content-Length: %d\r\nConnection: close\r\n\r\n", code, REASON[code], ctype, length)
end

local function reply(stream, req, code, ctype, body)
  print(string.format("httpd: %s %s -> %d (%d bytes)", req.method, req.path, code, #body))
  stream.write(head(code, ctype, #body))
  if req.method ~= "HEAD" then stream.write(body) end
  stream.finish()
end

local function reply_json(stream, req, code, t)
  reply(stream, req, code, "application/json", sjson.encode(t))
end

local function serve_file(stream, req)
  local path = req.path == "/" and "/index.html" or req.path
  local name = "http" .. path
  local st = not path:find("..", 1, true) and file.stat(name)
  if not st then
    return reply(stream, req, 404, "text/html",
      "<html><body><h1>404 Not Found</h1><p>" .. path .. "</p></body></html>\n")
  end
  local ext = path:match("%.(%w+)$")
  print(string.format("httpd: %s %s -> 200 (%d bytes from %s)", req.method, req.path, st.size, name))
  stream.write(head(200, MIME[ext] or "application/octet-stream", st.size))
  if req.method ~= "HEAD" then stream.write(file_pieces(name)) end
  stream.finish()
end

local function api_status(stream, req)
  local remaining, used, total = file.fsinfo()
  reply_json(stream, req, 200, {
    heap = node.heap(), uptime = tmr.time(), chipid = node.chipid(),
    ip = wifi.sta.getip(), mac = wifi.sta.getmac(), rssi = wifi.sta.getrssi(),
    requests = stats.requests, bytes_sent = stats.bytes_sent,
    fs = { remaining = remaining, used = used, total = total },
  })
end

local function api_echo(stream, req, body)
  local ok, doc = pcall(sjson.decode, body)
  if not ok then return reply_json(stream, req, 400, { error = doc }) end
  reply_json(stream, req, 200, {
    bytes = #body, frames = req.frames, sha1 = encoder.toHex(crypto.hash("sha1", body)),
    echo = doc,
  })
end

local function route(stream, req, body)
  stats.requests = stats.requests + 1
  if req.path == "/api/status" then
    if req.method ~= "GET" then return reply_json(stream, req, 405, { error = "use GET" }) end
    return api_status(stream, req)
  elseif req.path == "/api/echo" then
    if req.method ~= "POST" then return reply_json(stream, req, 405, { error = "use POST" }) end
    return api_echo(stream, req, body)
  elseif req.method == "GET" or req.method == "HEAD" then
    return serve_file(stream, req)
  end
  reply_json(stream, req, 405, { error = "method not allowed" })
end

-- "GET /a?b HTTP/1.1\r\nHost: x\r\n..." -> {method, path, query, headers = {lowercase = value}}
local function parse_head(text)
  local method, target = text:match("^(%u+) (%S+) HTTP/%d%.%d\r\n")
  if not method then return nil end
  local req = { method = method, headers = {} }
  req.path, req.query = target:match("^([^?]*)%??(.*)$")
  for name, value in text:gmatch("\r\n([^:\r\n]+):%s*([^\r\n]*)") do
    req.headers[name:lower()] = value
  end
  req.length = tonumber(req.headers["content-length"]) or 0
  return req
end

local function on_connection(sck)
  local stream = new_stream(sck)
  local pending, req, body, got, done = "", nil, {}, 0, false
  sck:on("receive", function(_, data)
    if done then return end
    if not req then
      pending = pending .. data
      local stop = pending:find("\r\n\r\n", 1, true)
      if not stop then
        if #pending > MAX_HEAD then
          done = true
          reply(stream, { method = "?", path = "?" }, 431, "text/plain", "header too large\n")
        end
        return
      end
      req = parse_head(pending:sub(1, stop + 1))
      data, pending = pending:sub(stop + 4), nil
      if not req then
        done = true
        return reply(stream, { method = "?", path = "?" }, 400, "text/plain", "bad request\n")
      end
      if req.length > MAX_BODY then
        done = true
        return reply_json(stream, req, 413, { error = "body too large", limit = MAX_BODY })
      end
      -- curl and others wait for this before sending a larger body.
      if (req.headers["expect"] or ""):lower() == "100-continue" then
        stream.write("HTTP/1.1 100 Continue\r\n\r\n")
      end
    end
    -- The body may come in several frames: collect it up to Content-Length.
    if #data > 0 then
      body[#body + 1] = data
      got = got + #data
      req.frames = #body
    end
    if got < req.length then return end
    done = true
    route(stream, req, table.concat(body):sub(1, req.length))
  end)
end

function M.start(port, timeout)
  local srv = net.createServer(net.TCP, timeout or 30)
  srv:listen(port, on_connection)
  return srv
end

function M.stats() return stats end

return M
