-- A 1.x application as people wrote it for 1.5.4.1: positional wifi config, a numbered timer
-- polling for the IP, cjson for the payload, a UDP report through
-- createConnection(net.UDP):connect/send; it runs unchanged under --firmware=1.
local emu = require "emu"

-- The reading number in a report (this profile has sjson, not cjson).
function cjson_free_decode(s) return sjson.decode(s).n end

local app = [[
wifi.setmode(wifi.STATION)
wifi.sta.config("myssid", "mypassword")
local reading = 0
report = net.createConnection(net.UDP, 0)
report:on("sent", function() print("report sent") end)
report:connect(tonumber(arg[1]), "127.0.0.1")
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
    report:send(msg)
    print("sent", back.n, back.id)
    if reading == 3 then
      tmr.unregister(id)
      tmr.unregister(1)
      report:close()
      print("state", tmr.state(1), tmr.state(2))
    end
  end)
end)
]]

emu.async("numbered timers, positional wifi config, cjson and a UDP report run end to end under --firmware=1", function(done)
  -- The collector is this device (2.x API): the report's datagrams wait in its host socket
  -- while the 1.x device runs, and arrive once this one's loop turns again.
  local collector = net.createUDPSocket()
  collector:listen(0)
  local port = collector:getaddr()
  local got = {}
  collector:on("receive", function(_, data)
    got[#got + 1] = cjson_free_decode(data)
    if #got == 3 then
      collector:close()
      emu.check(function() emu.same(got, { 1, 2, 3 }) end)
      done()
    end
  end)
  local out, err, status = emu.run { args = { "--firmware=1" }, script = app, script_args = { tostring(port) } }
  emu.eq(err, "")
  emu.eq(status, 0)
  emu.eq(out, "waiting for IP\nip 127.0.0.1\n" ..
    "report sent\nsent\t1\t2\nreport sent\nsent\t2\t2\nreport sent\nsent\t3\t2\nstate\tnil\tnil\n")
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
