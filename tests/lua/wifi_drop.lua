-- args: --wifi drop-after=5
-- wifi under --wifi drop-after=5: connected at boot, the AP vanishes 5 s into the run: the link
-- drops with BEACON_TIMEOUT, then every reconnect attempt finds no AP.
local emu = require "emu"

local ev = wifi.eventmon

emu.async("GOT_IP at boot, BEACON_TIMEOUT (200) at 5 s, then NO_AP_FOUND (201) every 3 s", function(done)
  local log = {}
  ev.register(ev.STA_GOT_IP, function(t) log[#log + 1] = { tmr.now() / 1000, "got_ip", t.IP } end)
  ev.register(ev.STA_DISCONNECTED, function(t)
    log[#log + 1] = { tmr.now() / 1000, t.reason, wifi.sta.status(), wifi.sta.getip() }
  end)
  tmr.create():alarm(4000, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.eq(wifi.sta.status(), wifi.STA_GOTIP)
      emu.eq(wifi.sta.getip(), "127.0.0.1")
    end)
  end)
  tmr.create():alarm(11500, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.same(log, {
        { 200, "got_ip", "127.0.0.1" },
        { 5000, 200, 1 },
        { 8000, 201, 3 },
        { 11000, 201, 3 },
      })
      emu.eq(wifi.sta.getip(), nil)
      emu.eq(wifi.sta.getrssi(), nil)
    end)
    for id = 0, ev.EVENT_MAX do ev.unregister(id) end
    done()
  end)
end)

emu.async("the AP stays gone: connect after a disconnect fails with NO_AP_FOUND", function(done)
  wifi.sta.disconnect()
  wifi.sta.connect()
  local t0 = tmr.now()
  ev.register(ev.STA_DISCONNECTED, function(t)
    emu.check(function()
      emu.eq(t.reason, 201)
      emu.eq(tmr.now() - t0, 3000000)
    end)
    ev.unregister(ev.STA_DISCONNECTED)
    done()
  end)
end)
