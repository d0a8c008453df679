-- args: --firmware=1
-- wifi under the 1.5.4.1 profile (wifi.c, wifi_eventmon.c@1.5.4.1-master_20161201): the
-- positional sta.config, getconfig's 1.x table, and the station status monitor.
local emu = require "emu"

emu.test("sta.config takes ssid, pwd[, auto[, bssid]] positionally and saves to flash", function()
  emu.eq(wifi.sta.config("home", "secret-pw", 0, "AA:BB:CC:DD:EE:FF"), true)
  local ssid, pwd, bssid_set, bssid = wifi.sta.getconfig()
  emu.same({ ssid, pwd, bssid_set, bssid }, { "home", "secret-pw", 1, "aa:bb:cc:dd:ee:ff" })
  emu.eq((wifi.sta.getdefaultconfig()), "home", "saved")
  local t = wifi.sta.getconfig(true)
  emu.same(t, { ssid = "home", pwd = "secret-pw", bssid = "aa:bb:cc:dd:ee:ff" }, "1.x table")
  -- A string third argument is the bssid; auto defaults to 1.
  emu.eq(wifi.sta.config("home", "", "11:22:33:44:55:66"), true)
  emu.same(wifi.sta.getconfig(true), { ssid = "home", bssid = "11:22:33:44:55:66" },
           "a password under 8 characters is not in the table")
  wifi.sta.config("home", "secret-pw")  -- no bssid: the emulated AP is found again
end)

emu.test("the positional form checks lengths and auto with 1.5.4.1's texts", function()
  emu.raises("bad argument #1 to 'config' (length:1-32)", function() wifi.sta.config("", "") end)
  emu.raises("bad argument #1 to 'config' (length:1-32)", function() wifi.sta.config(("x"):rep(32), "") end)
  emu.raises("bad argument #2 to 'config' (length:0 or 8-64)", function() wifi.sta.config("a", "short") end)
  emu.raises("wrong arg type", function() wifi.sta.config("a", "", 2) end)
  emu.raises("wrong arg type", function() wifi.sta.config("a", "", nil) end)
  emu.raises("bad argument #1 to 'config' (MAC:FF:FF:FF:FF:FF:FF)", function() wifi.sta.config("a", "", 1, "AA:BB") end)
end)

emu.test("the table form of 1.5.4.1 wants a password of 8-64 characters", function()
  emu.raises("bad argument #1 to 'config' (pwd: length:8-64)", function() wifi.sta.config { ssid = "a", pwd = "short" } end)
  emu.raises("bad argument #1 to 'config' (ssid: length:1-32)", function() wifi.sta.config { ssid = "" } end)
end)

emu.test("eventMonReg checks the status number; later APIs are absent", function()
  emu.raises("valid wifi status:0-5", function() wifi.sta.eventMonReg(6, print) end)
  emu.raises("No callbacks defined", function() wifi.sta.eventMonStart() end)
  emu.eq(wifi.sta.clearconfig, nil)
  emu.eq(wifi.setcountry, nil)
  emu.eq(sjson, nil, "no sjson in 1.5.4.1")
end)

emu.async("the status monitor calls a status's callback with the previous status", function(done)
  local seen, configured = {}, false
  wifi.sta.eventMonReg(wifi.STA_CONNECTING, function(prev)
    if configured then seen[#seen + 1] = "connecting after " .. prev end
  end)
  wifi.sta.eventMonReg(wifi.STA_GOTIP, function(prev)
    if not configured then return end
    seen[#seen + 1] = "got ip after " .. prev
    emu.same(seen, { "connecting after 5", "got ip after 1" })
    wifi.sta.eventMonStop("unreg")
    emu.raises("No callbacks defined", function() wifi.sta.eventMonStart() end)
    done()
  end)
  wifi.sta.eventMonStart(100)
  -- Connected first (the earlier config has had time); then a new config reconnects.
  tmr.create():alarm(5000, tmr.ALARM_SINGLE, function()
    emu.eq(wifi.sta.status(), wifi.STA_GOTIP)
    configured = true
    wifi.sta.config("office", "12345678")
  end)
end)

emu.async("wifi.sleep(1) leaves the AP and sleeps in NULLMODE; sleep(0) wakes, the mode stays", function(done)
  emu.eq(type(wifi.sleep), "function", "1.5.4.1's wifi_map has sleep")
  wifi.setmode(wifi.STATION)
  wifi.sta.config("home", "secret-pw")
  tmr.create():alarm(5000, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.eq(wifi.sta.status(), wifi.STA_GOTIP)
      local flag, err = wifi.sleep(1)
      emu.same({ flag, err }, { 1, nil })
      emu.eq(select("#", wifi.sleep(1)), 2, "flag and nil")
      emu.eq(wifi.getmode(), wifi.NULLMODE)
      emu.eq(wifi.getdefaultmode(), wifi.NULLMODE, "wifi_set_opmode saves")
      emu.eq(wifi.sta.getip(), nil, "the station left its AP")
      emu.eq((wifi.sleep()), 1, "no argument: the flag only")
      emu.eq((wifi.sleep("1")), 1, "a numeric string counts (lua_isnumber)")
      emu.eq((wifi.sleep(0)), 0)
      emu.eq((wifi.sleep(7)), 0)
      emu.eq(wifi.getmode(), wifi.NULLMODE, "waking does not restore the mode")
      wifi.setmode(wifi.STATION)
    end)
    done()
  end)
end)

emu.test("wifi.sleep is 1.5.4.1's only", function()
  local out = emu.run { args = { "--firmware=2" }, script = "print(wifi.sleep, wifi.suspend ~= nil)" }
  emu.eq(out, "nil\ttrue\n")
end)

emu.test("ap.getclient in STATION mode raises 1.5.4.1's wording", function()
  wifi.setmode(wifi.STATION)
  emu.raises("Can't list client in STATION_MODE mode", function() wifi.ap.getclient() end)
end)
