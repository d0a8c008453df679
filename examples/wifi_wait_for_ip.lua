-- Wait for the station's IP before starting anything that needs the network, the way an
-- init.lua on the device should (it must not assume the WiFi is up while it runs).
-- Usage: nodemcu-emu --virtual-time examples/wifi_wait_for_ip.lua
--        nodemcu-emu --virtual-time --wifi wrong-password examples/wifi_wait_for_ip.lua
--        nodemcu-emu --virtual-time --wifi drop-after=5 --run-for 10 examples/wifi_wait_for_ip.lua
local ev = wifi.eventmon
local failures = 0

local function start_app(ip)
  print(string.format("%5.1f s  got IP %s: starting the application", tmr.now() / 1e6, ip))
  -- e.g. net.createServer(net.TCP):listen(80, ...)
end

-- Register before anything can happen: an event nobody listened for is lost.
ev.register(ev.STA_CONNECTED, function(t)
  print(string.format("%5.1f s  associated with %s (%s) on channel %d", tmr.now() / 1e6, t.SSID,
                      t.BSSID, t.channel))
end)

ev.register(ev.STA_GOT_IP, function(t)
  ev.unregister(ev.STA_GOT_IP)
  start_app(t.IP)
end)

ev.register(ev.STA_DISCONNECTED, function(t)
  local why = "reason " .. t.reason
  for name, code in pairs(ev.reason) do
    if code == t.reason then why = name end
  end
  failures = failures + 1
  print(string.format("%5.1f s  disconnected from %s: %s", tmr.now() / 1e6, t.SSID, why))
  if failures == 3 then
    -- The SDK retries for ever; a script gives up when it has a better plan (an AP of its own).
    print("giving up: opening a soft AP instead")
    for id = 0, ev.EVENT_MAX do ev.unregister(id) end
    wifi.setmode(wifi.SOFTAP)
    print("soft AP address:", wifi.ap.getip())
  end
end)

-- A device that booted with saved credentials may already have its address.
print("status at start:", wifi.sta.status(), "ip:", wifi.sta.getip())
