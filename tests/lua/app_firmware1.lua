-- A 1.x application as people wrote it for 1.5.4.1: positional wifi config, a numbered timer
-- polling for the IP, cjson for the payload, a UDP report; it runs unchanged under --firmware=1.
local emu = require "emu"

local app = [[
wifi.setmode(wifi.STATION)
wifi.sta.config("myssid", "mypassword")
local reading = 0
tmr.alarm(1, 1000, tmr.ALARM_AUTO, function()
  if wifi.sta.getip() == nil then
    print("waiting for IP")
    return
  end
  tmr.stop(1)
  print("ip " .. wifi.sta.getip())
  tmr.alarm(2, 500, tmr.ALARM_AUTO, function(id)
    reading = reading + 1
    local msg = cjson.encode({ n = reading, id = id })
    local back = cjson.decode(msg)
    print("sent", back.n, back.id)
    if reading == 3 then
      tmr.unregister(id)
      tmr.unregister(1)
      print("state", tmr.state(1), tmr.state(2))
    end
  end)
end)
]]

emu.test("numbered timers, positional wifi config and cjson run end to end under --firmware=1", function()
  local out, err, status = emu.run { args = { "--firmware=1" }, script = app }
  emu.eq(err, "")
  emu.eq(status, 0)
  emu.eq(out, "waiting for IP\nip 127.0.0.1\nsent\t1\t2\nsent\t2\t2\nsent\t3\t2\nstate\tnil\tnil\n")
end)

emu.test("the same application under --firmware=2 stops at the positional config with a hint", function()
  local _, err, status = emu.run { script = app }
  emu.eq(status, 1)
  emu.contains(err, "(config table not found!)")
  emu.contains(err, "nodemcu-emu: hint: wifi.sta.config(ssid, pwd, …) is the 1.x API — run with --firmware=1, or pass {ssid=…, pwd=…}\n")
end)

emu.test("NODEMCU_EMU_FIRMWARE=1 selects the profile for a whole run", function()
  local out, _, status = emu.run { env = { NODEMCU_EMU_FIRMWARE = "1" }, script = "print(cjson ~= nil, sjson == nil)" }
  emu.eq(status, 0)
  emu.eq(out, "true\ttrue\n")
  out = emu.run { env = { NODEMCU_EMU_FIRMWARE = "1" }, args = { "--firmware=2" }, script = "print(cjson, sjson ~= nil)" }
  emu.eq(out, "nil\ttrue\n", "the option wins")
end)
