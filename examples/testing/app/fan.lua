-- A fan controller: every 2 s it reads a DHT22 on pin 5 and sets a PWM fan on pin 1: off below
-- 25 °C, full at 35 °C, linear in between; a WS2812 status LED shows green (cool), red (hot)
-- or blue (no sensor). Started by `require("fan").start()`.
local M = { FAN = 1, SENSOR = 5 }

local function duty_for(temp)
  if temp <= 25 then return 0 end
  if temp >= 35 then return 1023 end
  return math.floor((temp - 25) / 10 * 1023)
end

function M.step()
  local status, temp = dht.read(M.SENSOR)
  local duty = status == dht.OK and duty_for(temp) or 1023  -- no sensor: run the fan, be safe
  pwm.setduty(M.FAN, duty)
  local grb = status ~= dht.OK and "\0\0\255" or duty == 0 and "\255\0\0" or "\0\255\0"
  ws2812.write(grb)
  return duty
end

function M.start()
  pwm.setup(M.FAN, 100, 0)
  pwm.start(M.FAN)
  ws2812.init()
  M.step()
  local t = tmr.create()
  t:alarm(2000, tmr.ALARM_AUTO, M.step)
  return t
end

return M
