-- args: --wifi wrong-password
-- wifi under --wifi wrong-password: every attempt fails with AUTH_FAIL while auto-reconnect
-- retries (others.md wifi: "repeated STA_DISCONNECTED with reason ... while auto-reconnect
-- retries").
local emu = require "emu"

local ev = wifi.eventmon

emu.test("at boot the station is connecting: status 1, no IP", function()
  emu.eq(wifi.sta.status(), wifi.STA_CONNECTING)
  emu.eq(wifi.sta.getip(), nil)
  emu.eq(wifi.sta.getrssi(), nil)
end)

emu.async("STA_DISCONNECTED with reason AUTH_FAIL (202) every 2 s, status 2, never an IP", function(done)
  local log = {}
  ev.register(ev.STA_CONNECTED, function() log[#log + 1] = "connected" end)
  ev.register(ev.STA_GOT_IP, function() log[#log + 1] = "got_ip" end)
  ev.register(ev.STA_DISCONNECTED, function(t)
    log[#log + 1] = { tmr.now() / 1000, t.reason, t.SSID, t.BSSID, wifi.sta.status() }
  end)
  tmr.create():alarm(6500, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.same(log, {
        { 2000, 202, "nodemcu-emu", "02:4e:4d:55:00:01", 2 },
        { 4000, 202, "nodemcu-emu", "02:4e:4d:55:00:01", 2 },
        { 6000, 202, "nodemcu-emu", "02:4e:4d:55:00:01", 2 },
      })
      emu.eq(wifi.sta.getip(), nil)
      emu.eq(wifi.sta.status(), wifi.STA_WRONGPWD)
    end)
    for id = 0, ev.EVENT_MAX do ev.unregister(id) end
    done()
  end)
end)

emu.async("disconnect stops the retries: status 0, no more events", function(done)
  local n = 0
  ev.register(ev.STA_DISCONNECTED, function() n = n + 1 end)
  wifi.sta.disconnect()
  emu.eq(wifi.sta.status(), wifi.STA_IDLE)
  tmr.create():alarm(5000, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(n, 0) end)
    ev.unregister(ev.STA_DISCONNECTED)
    done()
  end)
end)

emu.async("connect tries again: status 1 until the first failure 2 s later", function(done)
  wifi.sta.connect()
  emu.eq(wifi.sta.status(), wifi.STA_CONNECTING)
  local t0 = tmr.now()
  ev.register(ev.STA_DISCONNECTED, function(t)
    emu.check(function()
      emu.eq(tmr.now() - t0, 2000000)
      emu.eq(t.reason, ev.reason.AUTH_FAIL)
    end)
    ev.unregister(ev.STA_DISCONNECTED)
    wifi.sta.disconnect()
    done()
  end)
end)

emu.async("a scan still finds the AP: it is the password that is wrong", function(done)
  wifi.sta.getap(function(t)
    emu.check(function() emu.eq(t["nodemcu-emu"], "3,-55,02:4e:4d:55:00:01,6") end)
    done()
  end)
end)
