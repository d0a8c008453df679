-- init.lua of a NodeMCU sensor client: join the WiFi, look the server up by name, POST one
-- reading as JSON, keep the server's answer in flash (result.json). Settings live in flash
-- too (config.json), as NodeMCU projects keep them:
--   {"ssid": "...", "pwd": "...", "host": "api.local", "port": 8000,
--    "path": "/api/readings", "wifi_timeout": 15}
file.open("config.json")  -- small: one read (2.2.1 has no file.getcontents)
local cfg = sjson.decode(file.read())
file.close()
local ev = wifi.eventmon
local started, last_reason = false, nil
local give_up = tmr.create()

local function reason_name(code)
  for name, value in pairs(ev.reason) do
    if value == code then return name end
  end
  return tostring(code)
end

local function stop_listening()
  for id = 0, ev.EVENT_MAX do ev.unregister(id) end
end

-- Register before configuring: an event nobody listens for is lost.
ev.register(ev.STA_CONNECTED, function(t)
  print("client: associated with " .. t.SSID .. " on channel " .. t.channel)
end)
ev.register(ev.STA_DISCONNECTED, function(t)
  last_reason = reason_name(t.reason)
  print("client: no connection to " .. t.SSID .. ": " .. last_reason)
end)
ev.register(ev.STA_GOT_IP, function(t)
  if started then return end
  started = true
  give_up:unregister()
  stop_listening()
  print("client: got IP " .. t.IP .. ", gateway " .. t.gateway)
  dofile("client.lua")(cfg)
end)

-- Give up if no address comes: the device would then blink an LED or open a config portal.
give_up:alarm((cfg.wifi_timeout or 15) * 1000, tmr.ALARM_SINGLE, function()
  stop_listening()
  wifi.sta.disconnect()
  local msg = string.format("no IP address after %d s (last reason %s)", cfg.wifi_timeout or 15,
    last_reason or "none")
  print("client: " .. msg)
  local f = file.open("result.json", "w")
  f:write(sjson.encode({ ok = false, error = msg }))
  f:close()
end)

wifi.setmode(wifi.STATION)
wifi.sta.config({ ssid = cfg.ssid, pwd = cfg.pwd, auto = true })
print("client: connecting to " .. cfg.ssid)
