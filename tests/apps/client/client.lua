-- client.lua: resolve the server's name, POST one reading, save the answer. Returns the
-- function that does it (dofile("client.lua")(cfg)).

local function save(result)
  local f = file.open("result.json", "w")
  f:write(sjson.encode(result))
  f:close()
end

local function reading()
  return {
    device = "NODE-" .. string.format("%06X", node.chipid()), chipid = node.chipid(),
    adc = adc.read(0), heap = node.heap(), uptime_ms = math.floor(tmr.now() / 1000),
    mac = wifi.sta.getmac(),
  }
end

-- HTTP/1.0: the server closes the connection after its answer, so the answer is complete
-- at "disconnection". It may arrive in several frames.
local function post(cfg, ip)
  local body = sjson.encode(reading())
  local request = string.format("POST %s HTTP/1.0\r\nHost: %s:%d\r\nUser-Agent: NodeMCU\r\n"
    .. "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
    cfg.path, cfg.host, cfg.port, #body, body)
  local frames = {}
  local conn = net.createConnection(net.TCP, 0)
  conn:on("connection", function(sck)
    print("client: connected to " .. ip .. " port " .. cfg.port)
    sck:send(request)
  end)
  conn:on("receive", function(_, data) frames[#frames + 1] = data end)
  conn:on("disconnection", function(_, err)
    local answer = table.concat(frames)
    local code = tonumber(answer:match("^HTTP/%d%.%d (%d+)"))
    local ok, doc = pcall(sjson.decode, answer:match("\r\n\r\n(.*)$") or "")
    if not code then
      print("client: connection ended without an answer (" .. tostring(err) .. ")")
      return save({ ok = false, error = "no answer", err = err })
    end
    print(string.format("client: server answered %d in %d frame(s): %s", code, #frames,
      ok and sjson.encode(doc) or "(not JSON)"))
    save({ ok = code == 200 and ok, status = code, server = ip, answer = ok and doc or nil,
      sha1 = encoder.toHex(crypto.hash("sha1", answer)) })
  end)
  conn:on("reconnection", function(_, err)
    print("client: could not connect to " .. ip .. ": error " .. err)
    save({ ok = false, error = "connect failed", err = err })
  end)
  conn:connect(cfg.port, ip)
end

return function(cfg)
  net.dns.resolve(cfg.host, function(_, ip)
    if not ip then
      print("client: cannot resolve " .. cfg.host)
      return save({ ok = false, error = "cannot resolve " .. cfg.host })
    end
    print("client: " .. cfg.host .. " is " .. ip)
    post(cfg, ip)
  end)
end
