-- A small JSON API on the device: GET /status answers with sjson.encode, POST /config takes a
-- JSON body that arrives in TCP frames and is decoded as it streams in with sjson.decoder,
-- then signed with an HMAC so a client can check the answer.
-- Usage: nodemcu-emu --port-map 80=8080 examples/json_api.lua
--   curl http://127.0.0.1:8080/status
--   curl -d '{"interval":30,"name":"porch"}' http://127.0.0.1:8080/config
--   (add the argument `selftest` to have it call itself twice and exit)
local SECRET = "device-key"
local config = { interval = 60, name = "esp" }

local function reply(sck, code, body)
  local json = sjson.encode(body)
  local sig = encoder.toHex(crypto.hmac("SHA256", json, SECRET))
  sck:send(string.format("HTTP/1.0 %s\r\nContent-Type: application/json\r\nX-Signature: %s\r\n"
    .. "Content-Length: %d\r\n\r\n%s", code, sig, #json, json), function(s) s:close() end)
end

local function on_request(sck, method, path, decoder)
  if method == "GET" and path == "/status" then
    reply(sck, "200 OK", { uptime_s = tmr.time(), heap = node.heap(), config = config })
  elseif method == "POST" and path == "/config" then
    local ok, body = pcall(decoder.result, decoder)
    if not ok or type(body) ~= "table" then return reply(sck, "400 Bad Request", { error = "bad json" }) end
    for k, v in pairs(body) do config[k] = v end
    reply(sck, "200 OK", { saved = true, config = config })
  else
    reply(sck, "404 Not Found", { error = "no such resource" })
  end
end

local srv = net.createServer(net.TCP, 10)
srv:listen(80, function(conn)
  local head, method, path, decoder, failed = "", nil, nil, sjson.decoder(), false
  conn:on("receive", function(sck, data)
    if not method then
      head = head .. data
      local finish = head:find("\r\n\r\n", 1, true)
      if not finish then return end
      method, path = head:match("^(%u+) (%S+)")
      data = head:sub(finish + 4)
      if method ~= "POST" then return on_request(sck, method, path, decoder) end
    end
    -- The body streams through the decoder frame by frame; it answers once complete.
    local ok, result = pcall(decoder.write, decoder, data)
    if not ok and not failed then
      failed = true
      reply(sck, "400 Bad Request", { error = result })
    elseif ok and result then
      on_request(sck, method, path, decoder)
    end
  end)
end)
print("JSON API on device port 80")

-- Self-test: `... examples/json_api.lua selftest` asks our own server twice, then stops it.
if arg and arg[1] == "selftest" then
  local function ask(request, next_step)
    local c = net.createConnection(net.TCP)
    c:on("receive", function(_, answer) print(answer:match("\r\n\r\n(.*)$")) end)
    c:on("disconnection", next_step)
    c:on("connection", function(s) s:send(request) end)
    c:connect(80, "127.0.0.1")
  end
  local body = '{"interval":30,"name":"porch"}'
  ask("GET /status HTTP/1.0\r\n\r\n", function()
    ask("POST /config HTTP/1.0\r\nContent-Length: " .. #body .. "\r\n\r\n" .. body,
      function() srv:close() end)
  end)
end
