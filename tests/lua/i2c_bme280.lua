-- args: --virtual-time --fs ../../examples
-- The BME280 model against a driver written from the datasheet (examples/bme280.lua, loaded
-- from the flash as on the device): chip id, calibration, forced measurement with its status
-- bit, compensation back to the readings the test set, scripted over virtual time.
local emu = require "emu"
local bme280 = require "bme280"

i2c.setup(0, 1, 2, i2c.SLOW)

local function near(actual, expected, tolerance, what)
  if math.abs(actual - expected) > tolerance then
    error(string.format("%s: expected %.3f ± %g, got %.3f", what, expected, tolerance, actual), 2)
  end
end

emu.test("with no sensor attached the driver finds nothing", function()
  emu.eq(bme280.new(0, 0x76), nil)
end)

emu.async("a forced measurement reads back the attached readings", function(done)
  local h = emu.attach("i2c:0x76=bme280", { temperature = 23.4, pressure = 998.7, humidity = 61.5 })
  local sensor = bme280.new(0, 0x76)
  emu.truthy(sensor, "driver found the chip")
  local t0 = emu.clock()
  sensor:measure(function(t, p, rh)
    emu.check(function()
      near(t, 23.4, 0.1, "temperature")
      near(p, 998.7, 0.05, "pressure")
      near(rh, 61.5, 0.1, "humidity")
      emu.eq(h:state().mode, "sleep")  -- back to sleep after one forced measurement
      emu.eq(h:state().measurements, 1)
      emu.truthy(emu.clock() - t0 < 0.05, "it took the datasheet's few milliseconds")
      h:detach()
    end)
    done()
  end)
end)

emu.test("registers: chip id, ctrl_hum effective only after ctrl_meas, soft reset", function()
  local h = emu.attach("i2c:0x77=bme280")
  local function reg(r, n)
    i2c.start(0) i2c.address(0, 0x77, i2c.TRANSMITTER) i2c.write(0, r)
    i2c.start(0) i2c.address(0, 0x77, i2c.RECEIVER)
    local v = i2c.read(0, n or 1)
    i2c.stop(0)
    return v
  end
  local function set(...)
    i2c.start(0) i2c.address(0, 0x77, i2c.TRANSMITTER) i2c.write(0, ...) i2c.stop(0)
  end
  emu.eq(reg(0xD0):byte(), 0x60)
  emu.eq(reg(0xF7, 8), "\128\0\0\128\0\0\128\0")  -- power-on values of the data registers
  set(0xF2, 0x05, 0xF5, 0xA0)                      -- two pairs in one write
  emu.eq(reg(0xF2):byte(), 0x05)
  emu.eq(reg(0xF5):byte(), 0xA0)
  emu.eq(h:state().ctrl_hum, 5)
  set(0xF4, 0x27)                                  -- normal mode
  emu.eq(h:state().mode, "normal")
  emu.eq(reg(0xF3):byte(), 0x08, "measuring right after the start")
  set(0xE0, 0xB6)
  emu.eq(reg(0xF4):byte(), 0)
  emu.eq(reg(0xF2):byte(), 0)
  h:detach()
end)

emu.async("normal mode follows a scripted temperature over virtual time", function(done)
  local h = emu.attach("i2c:0x76=bme280")
  h:script("temperature", { { 0, 10 }, { 60, 40 } })
  local sensor = bme280.new(0, 0x76)
  -- osrs_t/osrs_p x16, humidity x1, normal mode, t_standby 1000 ms
  i2c.start(0) i2c.address(0, 0x76, i2c.TRANSMITTER) i2c.write(0, 0xF5, 0xA0, 0xF4, 0xB7) i2c.stop(0)
  tmr.create():alarm(30000, tmr.ALARM_SINGLE, function()
    emu.check(function()
      local t = bme280.compensate(sensor.cal, sensor:raw())
      -- the last cycle ended at most t_measure + t_standby (~1.1 s) ago: 0.5 °C/s
      emu.truthy(t > 24.4 and t <= 25.0, "about 25 °C at 30 s, got " .. t)
      emu.truthy(h:state().measurements >= 1)
      h:detach()
    end)
    done()
  end)
end)
