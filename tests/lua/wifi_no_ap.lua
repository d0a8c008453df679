-- args: --wifi no-ap
-- wifi under --wifi no-ap: the configured AP is nowhere; every scan-and-connect attempt ends
-- with NO_AP_FOUND after 3 s and auto-reconnect tries again.
local emu = require "emu"

local ev = wifi.eventmon

emu.async("STA_DISCONNECTED with reason NO_AP_FOUND (201) every 3 s, status 1 then 3", function(done)
  emu.eq(wifi.sta.status(), wifi.STA_CONNECTING)
  local log = {}
  ev.register(ev.STA_DISCONNECTED, function(t)
    log[#log + 1] = { tmr.now() / 1000, t.reason, t.BSSID, wifi.sta.status() }
  end)
  ev.register(ev.STA_GOT_IP, function() log[#log + 1] = "got_ip" end)
  tmr.create():alarm(9500, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.same(log, {
        { 3000, 201, "00:00:00:00:00:00", 3 },
        { 6000, 201, "00:00:00:00:00:00", 3 },
        { 9000, 201, "00:00:00:00:00:00", 3 },
      })
      emu.eq(wifi.sta.getip(), nil)
    end)
    for id = 0, ev.EVENT_MAX do ev.unregister(id) end
    done()
  end)
end)

emu.async("a scan finds nothing", function(done)
  wifi.sta.getap(function(t)
    emu.check(function() emu.same(t, {}) end)
    done()
  end)
end)

emu.async("with a registered callback the retries keep the script alive, like the device", function(done)
  local out, err, status = emu.run({ args = { "--wifi", "no-ap", "--run-for", "20" }, script = [[
    local n = 0
    wifi.eventmon.register(wifi.eventmon.STA_DISCONNECTED, function() n = n + 1 end)
    tmr.create():alarm(19999, tmr.ALARM_SINGLE, function() print(n) end)
  ]] })
  emu.check(function()
    emu.eq(status, 0, err)
    emu.eq(out, "6\n")
  end)
  done()
end)
