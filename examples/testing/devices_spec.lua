-- args: --fs app
-- Tests for app/fan.lua with simulated devices (docs/peripherals.md): a DHT22 model whose
-- temperature is scripted over virtual time, a WS2812 chain written in Lua that records what
-- the LED shows, and the fan's PWM waveform read back from the pin's history.
local emu = require "emu"
local fan = require "fan"

-- The share of [from, to) the pin spent high, from emu_gpio.history (µs, tmr.now()'s clock).
local function high_share(pin, from, to)
  local high, since = 0, nil
  for _, c in ipairs(emu_gpio.history(pin)) do
    local at, level = c[1], c[2]
    if at >= to then break end
    if level == 1 then since = math.max(at, from)
    elseif since then
      if at > from then high = high + at - since end
      since = nil
    end
  end
  if since then high = high + to - since end
  return high / (to - from)
end

emu.async("the fan follows the temperature; the LED says so", function(done)
  local sensor = emu.attach("dht:5=dht22")
  sensor:script("temperature", { { 0, 20 }, { 10, 20 }, { 11, 30 }, { 20, 30 }, { 21, 40 } }, "step")
  local led = { colors = {} }
  function led:receive(frame) self.colors[#self.colors + 1] = frame:sub(1, 3) end
  local chain = emu.attach{ bus = "ws2812", model = led }
  local timer = fan.start()
  local checks = {
    { 9, 0, "\255\0\0" },        -- 20 °C: fan off, LED green (G, R, B on the wire)
    { 19, 0.5, "\0\255\0" },     -- 30 °C: half speed, red
    { 29, 1, "\0\255\0" },       -- 40 °C: full speed
  }
  local i = 0
  local function check_next()
    i = i + 1
    local c = checks[i]
    if not c then
      timer:unregister()
      sensor:detach()
      chain:detach()
      return done()
    end
    tmr.create():alarm((c[1] - (checks[i - 1] or { 0 })[1]) * 1000, tmr.ALARM_SINGLE, function()
      emu.check(function()
        local now = tmr.now()
        emu.truthy(math.abs(high_share(fan.FAN, now - 500000, now) - c[2]) < 0.01,
                   "fan duty at " .. c[1] .. " s")
        emu.eq(led.colors[#led.colors], c[3], "LED at " .. c[1] .. " s")
      end)
      check_next()
    end)
  end
  check_next()
end, 60000)

emu.test("no sensor: the fan runs and the LED turns blue", function()
  local led = { colors = {} }
  function led:receive(frame) self.colors[#self.colors + 1] = frame end
  local h = emu.attach{ bus = "ws2812", model = led }
  ws2812.init()
  emu.eq(fan.step(), 1023)
  emu.eq(led.colors[#led.colors], "\0\0\255")
  h:detach()
end)
