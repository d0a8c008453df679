-- init.lua of a device with a telnet console (telnet.lua). config.json in flash may set the
-- port: {"port": 2323}; port 0 takes any free port. Connect with `telnet IP PORT` or
-- `nc IP PORT` and type Lua.
local cfg = { port = 2323, timeout = 180 }
if file.open("config.json") then  -- small: one read (2.2.1 has no file.getcontents)
  for k, v in pairs(sjson.decode(file.read())) do cfg[k] = v end
  file.close()
end

local function start(ip)
  local srv = require("telnet").open(cfg.port, cfg.timeout)
  print(string.format("telnet: listening on %s port %d", ip, (srv:getaddr())))
end

local ip = wifi.sta.getip()
if ip then
  start(ip)
else
  print("telnet: waiting for an IP address")
  wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(t)
    wifi.eventmon.unregister(wifi.eventmon.STA_GOT_IP)
    start(t.IP)
  end)
end
