-- args: --virtual-time --fs ../../examples
-- The BME280 model on spi (datasheet 6.3): the example driver's spi transport (examples/bme280.lua,
-- from the flash) reads temperature, pressure and humidity behind a gpio chip-select; the
-- protocol itself byte by byte (control byte R/W bit, write pairs, auto-increment, a control
-- byte per chip-select), and the HSPI's own CS.
local emu = require "emu"
local bme280 = require "bme280"

local CS = 8

local function near(actual, expected, tolerance, what)
  if math.abs(actual - expected) > tolerance then
    error(string.format("%s: expected %.3f ± %g, got %.3f", what, expected, tolerance, actual), 2)
  end
end

spi.setup(1, spi.MASTER, spi.CPOL_LOW, spi.CPHA_LOW, 8, 8)

emu.test("with nothing behind the chip-select the driver finds nothing", function()
  emu.eq(bme280.new_spi(CS), nil)
end)

emu.async("the driver's forced measurement over spi reads back the readings", function(done)
  local h = emu.attach("spi:8=bme280", { temperature = -3.25, pressure = 1021.4, humidity = 77 })
  emu.eq(h.at, "spi:8")
  local sensor = bme280.new_spi(CS)
  emu.truthy(sensor, "driver found the chip")
  h:script("temperature", { { 0, -3.25 }, { 1, 18.5 } }, "step")
  tmr.create():alarm(1500, tmr.ALARM_SINGLE, function()
    sensor:measure(function(t, p, rh)
      emu.check(function()
        near(t, 18.5, 0.1, "temperature")
        near(p, 1021.4, 0.05, "pressure")
        near(rh, 77, 0.1, "humidity")
        emu.eq(h:state().mode, "sleep")
        emu.eq(h:state().measurements, 1)
        h:detach()
      end)
      done()
    end)
  end)
end)

emu.test("protocol: bit 7 of the control byte reads, writes are pairs, reads auto-increment", function()
  local h = emu.attach("spi:8=bme280")
  gpio.mode(CS, gpio.OUTPUT)
  local function transfer(...)
    spi.setup(1, spi.MASTER, spi.CPOL_LOW, spi.CPHA_LOW, 8, 8, spi.FULLDUPLEX)
    gpio.write(CS, gpio.LOW)
    local out = { select(2, spi.send(1, ...)) }
    gpio.write(CS, gpio.HIGH)
    return out
  end
  emu.same(transfer(0xD0, 0), { 0xff, 0x60 }, "chip id; MISO undriven during the control byte")
  emu.same(transfer(0x72, 0x05, 0x75, 0xA8), { 0xff, 0xff, 0xff, 0xff }, "two write pairs")
  emu.same(transfer(0xF2, 0, 0, 0, 0), { 0xff, 0x05, 0x00, 0x00, 0xA8 }, "ctrl_hum, status, ctrl_meas, config")
  emu.eq(h:state().config, 0xA8)
  emu.eq(h:state().filter, 4)
  emu.same(transfer(0x50, 0xFF), { 0xff, 0xff }, "a write to 0xD0 (read-only) is ignored")
  emu.same(transfer(0xD0, 0), { 0xff, 0x60 })
  emu.same(transfer(0x60, 0xB6), { 0xff, 0xff }, "soft reset through 0x60 (0xE0)")
  emu.same(transfer(0xF5, 0), { 0xff, 0x00 })
  -- calibration over spi is the same bytes as over i2c
  i2c.setup(0, 1, 2, i2c.SLOW)
  local i2c_side = emu.attach("i2c:0x76=bme280")
  i2c.start(0) i2c.address(0, 0x76, i2c.TRANSMITTER) i2c.write(0, 0x88)
  i2c.start(0) i2c.address(0, 0x76, i2c.RECEIVER)
  local over_i2c = i2c.read(0, 26)
  i2c.stop(0)
  local bytes = transfer(0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  table.remove(bytes, 1)
  emu.eq(string.char(unpack(bytes)), over_i2c)
  i2c_side:detach()
  h:detach()
end)

emu.test("at spi with no address the chip sits on the HSPI's own CS, one transaction a datum", function()
  local h = emu.attach("spi=bme280")
  emu.eq(h.at, "spi")
  spi.setup(1, spi.MASTER, spi.CPOL_LOW, spi.CPHA_LOW, 16, 8, spi.FULLDUPLEX)
  local _, v = spi.send(1, 0xD000)  -- control byte and the read in one 16-bit datum
  emu.eq(v, 0xff60)
  h:detach()
end)

emu.test("attach checks: spi chip-selects are pins, other buses refused", function()
  emu.raises("bme280: chip-select is a pin 0..12", function() emu.attach("spi:13=bme280") end)
  emu.raises("bme280 sits on the i2c or spi bus, not ow", function() emu.attach("ow:3=bme280") end)
end)
