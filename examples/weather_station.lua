-- A weather station: reads a BME280 over i2c every 10 s and publishes the reading as a JSON
-- datagram over UDP. Here the receiver is a second socket on the same device (127.0.0.1);
-- point COLLECTOR at a real one. With no sensor attached it says so and keeps looking, as it
-- would on a board whose sensor is missing.
-- Usage (from the repository root; the driver, examples/bme280.lua, is loaded from --fs):
--   nodemcu-emu --virtual-time --run-for 35 --fs examples \
--     --attach i2c:0x76=bme280,temperature=21.5,humidity=48 examples/weather_station.lua
--   nodemcu-emu --virtual-time --run-for 15 --fs examples examples/weather_station.lua   (no sensor)
local bme280 = require "bme280"

local SDA, SCL, ADDRESS = 2, 1, 0x76
local COLLECTOR_IP, COLLECTOR_PORT = "127.0.0.1", 5005

-- The collector: prints what arrives (a real station would send to a server elsewhere).
local collector = net.createUDPSocket()
collector:listen(COLLECTOR_PORT)
collector:on("receive", function(_, data) print("collector got " .. data) end)

local uplink = net.createUDPSocket()
i2c.setup(0, SDA, SCL, i2c.SLOW)
local sensor

local function publish(t, p, h)
  local reading = string.format('{"t":%.2f,"p":%.1f,"h":%.1f,"uptime":%d}', t, p, h, tmr.time())
  uplink:send(COLLECTOR_PORT, COLLECTOR_IP, reading)
end

tmr.create():alarm(10000, tmr.ALARM_AUTO, function()
  sensor = sensor or bme280.new(0, ADDRESS)
  if not sensor then
    print("no BME280 at 0x76, retrying in 10 s")
    return
  end
  sensor:measure(function(t, p, h)
    if t then publish(t, p, h) else print("BME280 stopped answering"); sensor = nil end
  end)
end)
