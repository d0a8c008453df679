-- init.lua of a small NodeMCU web server: pages from flash (http/...) and a JSON API.
-- Runs unchanged on the board and under the emulator:
--   nodemcu-emu --boot --fs tests/apps/webserver --port-map 80=8080
-- An optional config.json in flash sets the port: {"port": 80}. Port 0 takes any free port;
-- the line "webserver: listening on IP port N" tells which.

local function load_config()
  local cfg = { port = 80, timeout = 30 }
  if file.open("config.json") then  -- small: one read (2.2.1 has no file.getcontents)
    local ok, t = pcall(sjson.decode, file.read())
    file.close()
    if ok and type(t) == "table" then
      for k, v in pairs(t) do cfg[k] = v end
    else
      print("webserver: config.json ignored: " .. tostring(t))
    end
  end
  return cfg
end

local function start(ip)
  local cfg = load_config()
  local httpd = require("httpd")
  local srv = httpd.start(cfg.port, cfg.timeout)
  local port = srv:getaddr()
  print(string.format("webserver: listening on %s port %d", ip, port))
end

-- Never assume the station is up when init.lua runs: poll for the address, as most
-- init.lua files do, and give the user a chance to see what is going on.
local waited = 0
tmr.create():alarm(250, tmr.ALARM_AUTO, function(t)
  local ip = wifi.sta.getip()
  if ip then
    t:unregister()
    start(ip)
  else
    waited = waited + 1
    if waited % 8 == 0 then print("webserver: still waiting for an IP address") end
  end
end)
