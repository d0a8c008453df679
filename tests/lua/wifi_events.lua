-- wifi.eventmon: which events a station raises, in which order, when (others.md wifi).
-- Default --wifi ok: the device booted with the station already connected.
local emu = require "emu"

local ev = wifi.eventmon

-- Records every station event as {name, time in ms since boot, table}.
local function recorder()
  local log = {}
  local names = { [ev.STA_CONNECTED] = "connected", [ev.STA_DISCONNECTED] = "disconnected",
                  [ev.STA_GOT_IP] = "got_ip", [ev.WIFI_MODE_CHANGED] = "mode_changed" }
  for id, name in pairs(names) do
    ev.register(id, function(t) log[#log + 1] = { name, tmr.now() / 1000, t } end)
  end
  return log
end

local function unregister_all()
  for id = 0, ev.EVENT_MAX do ev.unregister(id) end
end

local function after(ms, fn)
  tmr.create():alarm(ms, tmr.ALARM_SINGLE, function() emu.check(fn) end)
end

emu.async("booted connected: STA_CONNECTED at 100 ms then STA_GOT_IP at 200 ms", function(done)
  emu.eq(wifi.sta.status(), wifi.STA_GOTIP, "status before the events")
  local log = recorder()
  after(1000, function()
    emu.eq(#log, 2, "events")
    emu.eq(log[1][1], "connected")
    emu.eq(log[1][2], 100)
    emu.same(log[1][3], { SSID = "nodemcu-emu", BSSID = "02:4e:4d:55:00:01", channel = 6 })
    emu.eq(log[2][1], "got_ip")
    emu.eq(log[2][2], 200)
    emu.same(log[2][3], { IP = "127.0.0.1", netmask = "255.0.0.0", gateway = "127.0.0.1" })
    unregister_all()
    done()
  end)
end)

emu.async("disconnect raises STA_DISCONNECTED with reason ASSOC_LEAVE (8) and drops the IP", function(done)
  local log = recorder()
  wifi.sta.disconnect()
  emu.eq(wifi.sta.status(), wifi.STA_IDLE)
  emu.eq(wifi.sta.getip(), nil)
  after(10, function()
    emu.eq(#log, 1)
    emu.eq(log[1][1], "disconnected")
    emu.same(log[1][3], { SSID = "nodemcu-emu", BSSID = "02:4e:4d:55:00:01", reason = ev.reason.ASSOC_LEAVE })
    unregister_all()
    done()
  end)
end)

emu.async("connect: STA_CONNECTED 1 s later, STA_GOT_IP 1 s after that; status 1 until then", function(done)
  local log = recorder()
  local t0 = tmr.now() / 1000
  wifi.sta.connect()
  emu.eq(wifi.sta.status(), wifi.STA_CONNECTING)
  after(1500, function()
    emu.eq(#log, 1, "events after 1.5 s")
    emu.eq(wifi.sta.status(), wifi.STA_CONNECTING, "associated, no lease yet")
    emu.eq(wifi.sta.getip(), nil)
  end)
  after(3000, function()
    emu.eq(#log, 2, "events")
    emu.eq(log[1][1], "connected")
    emu.eq(log[1][2] - t0, 1000)
    emu.eq(log[2][1], "got_ip")
    emu.eq(log[2][2] - t0, 2000)
    emu.eq(wifi.sta.status(), wifi.STA_GOTIP)
    emu.eq(wifi.sta.getip(), "127.0.0.1")
    unregister_all()
    done()
  end)
end)

emu.async("connect while connected changes nothing", function(done)
  local log = recorder()
  wifi.sta.connect()
  after(3000, function()
    emu.eq(#log, 0)
    emu.eq(wifi.sta.status(), wifi.STA_GOTIP)
    unregister_all()
    done()
  end)
end)

emu.async("sta.config reconnects: DISCONNECTED (8), then CONNECTED and GOT_IP for the new ssid", function(done)
  local log = recorder()
  emu.eq(wifi.sta.config({ ssid = "other", pwd = "12345678" }), true)
  after(3000, function()
    emu.eq(#log, 3)
    emu.eq(log[1][1], "disconnected")
    emu.eq(log[1][3].SSID, "nodemcu-emu")
    emu.eq(log[1][3].reason, 8)
    emu.eq(log[2][1], "connected")
    emu.eq(log[2][3].SSID, "other")
    emu.eq(log[3][1], "got_ip")
    unregister_all()
    done()
  end)
end)

emu.async("sta.config callbacks are the firmware's keys connect_cb/disconnect_cb/got_ip_cb", function(done)
  local got = {}
  wifi.sta.config({
    ssid = "nodemcu-emu", pwd = "emulator",
    disconnect_cb = function(t) got[#got + 1] = "disconnect:" .. t.reason end,
    connect_cb = function(t) got[#got + 1] = "connect:" .. t.SSID end,
    got_ip_cb = function(t) got[#got + 1] = "got_ip:" .. t.IP end,
    connected_cb = function() got[#got + 1] = "documented name" end,
  })
  after(3000, function()
    emu.same(got, { "disconnect:8", "connect:nodemcu-emu", "got_ip:127.0.0.1" })
    unregister_all()
    done()
  end)
end)

emu.async("auto=false configures without connecting; connect(fn) registers STA_CONNECTED", function(done)
  local got = {}
  ev.register(ev.STA_GOT_IP, function() got[#got + 1] = "got_ip" end)
  wifi.sta.config({ ssid = "nodemcu-emu", pwd = "emulator", auto = false })
  emu.eq(wifi.sta.status(), wifi.STA_IDLE)
  after(3000, function()
    emu.eq(#got, 0, "no connection without auto")
    wifi.sta.connect(function(t) got[#got + 1] = "connected " .. t.SSID end)
    after(3000, function()
      emu.same(got, { "connected nodemcu-emu", "got_ip" })
      wifi.sta.autoconnect(1)
      unregister_all()
      done()
    end)
  end)
end)

emu.async("disconnect(fn) registers STA_DISCONNECTED", function(done)
  wifi.sta.disconnect(function(t)
    emu.check(function() emu.eq(t.reason, 8) end)
    unregister_all()
    wifi.sta.connect()
    done()
  end)
end)

emu.async("events are delivered after the code that raised them, one per task", function(done)
  local order = {}
  ev.register(ev.STA_DISCONNECTED, function() order[#order + 1] = "event" end)
  after(3000, function()  -- reconnected by the previous case
    wifi.sta.disconnect()
    order[#order + 1] = "after disconnect()"
    after(1, function()
      emu.same(order, { "after disconnect()", "event" })
      unregister_all()
      wifi.sta.connect()
      done()
    end)
  end)
end)

emu.async("an event that happened before register is not delivered", function(done)
  local got = 0
  wifi.sta.disconnect()
  ev.register(ev.STA_DISCONNECTED, function() got = got + 1 end)
  after(100, function()
    emu.eq(got, 0)
    unregister_all()
    wifi.sta.connect()
    done()
  end)
end)

emu.async("setmode raises WIFI_MODE_CHANGED; SOFTAP takes the station down (status 255)", function(done)
  local log
  after(3000, function()
    log = recorder()
    emu.eq(wifi.setmode(wifi.SOFTAP), wifi.SOFTAP)
    emu.eq(wifi.sta.status(), 255)
    emu.eq(wifi.sta.getip(), nil)
    emu.eq(wifi.ap.getip(), "192.168.4.1")
  end)
  after(3100, function()
    emu.eq(#log, 2)
    emu.eq(log[1][1], "disconnected")
    emu.eq(log[1][3].reason, 8)
    emu.eq(log[2][1], "mode_changed")
    emu.same(log[2][3], { old_mode = wifi.STATION, new_mode = wifi.SOFTAP })
    emu.eq(wifi.setmode(wifi.STATION), wifi.STATION)
  end)
  after(6000, function()
    emu.eq(log[3][1], "mode_changed")
    emu.eq(log[4][1], "connected", "auto-connect when the station comes back")
    emu.eq(log[5][1], "got_ip")
    emu.eq(wifi.ap.getip(), nil)
    unregister_all()
    done()
  end)
end)

emu.async("re-registering replaces the callback; unregister before delivery drops the event", function(done)
  local got = {}
  after(3000, function()
    ev.register(ev.STA_DISCONNECTED, function() got[#got + 1] = "first" end)
    ev.register(ev.STA_DISCONNECTED, function() got[#got + 1] = "second" end)
    wifi.sta.disconnect()
    ev.unregister(ev.STA_DISCONNECTED)
    after(10, function()
      emu.same(got, {})
      ev.register(ev.STA_DISCONNECTED, function() got[#got + 1] = "second" end)
      wifi.sta.connect()
      after(2500, function()
        wifi.sta.disconnect()
        after(10, function()
          emu.same(got, { "second" })
          unregister_all()
          done()
        end)
      end)
    end)
  end)
end)
