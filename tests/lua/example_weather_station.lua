-- examples/weather_station.lua end to end: a BME280 attached from the command line, readings
-- published over UDP on loopback; and the "no sensor" path on a bare board.
local emu = require "emu"

local function run(attach)
  -- the collector's device port 5005 on a free host port
  local args = { "--run-for", "25", "--fs", "../../examples",
    "--port-map", "5005=" .. emu.free_port("udp") }
  if attach then
    args[#args + 1] = "--attach"
    args[#args + 1] = attach
  end
  local out, err, status = emu.run{ args = args, file = "../../examples/weather_station.lua" }
  emu.eq(status, 0, err)
  return out
end

emu.test("the station publishes the attached sensor's readings every 10 s", function()
  local out = run("i2c:0x76=bme280,temperature=21.5,pressure=1002.5,humidity=48")
  emu.contains(out, 'collector got {"t":21.50,"p":1002.5,"h":48.0,"uptime":10}')
  emu.contains(out, 'collector got {"t":21.50,"p":1002.5,"h":48.0,"uptime":20}')
end)

emu.test("without a sensor it says so and keeps trying", function()
  local out = run(nil)
  emu.eq(out, "no BME280 at 0x76, retrying in 10 s\nno BME280 at 0x76, retrying in 10 s\n")
end)
