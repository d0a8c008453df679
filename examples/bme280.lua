-- A BME280 driver straight from the datasheet (Bosch BST-BME280-DS002: registers in 5.4,
-- floating-point compensation in 8.1), on the i2c or the spi module. Put it in the flash beside
-- your app and `local bme280 = require "bme280"`; examples/weather_station.lua uses it.
--   local sensor = bme280.new(0, 0x76)     -- i2c: nil when nothing answers at that address
--   local sensor = bme280.new_spi(8)       -- spi (HSPI, spi.setup done), chip-select on pin 8
--   sensor:measure(function(t, p, h) ... end)   -- °C, hPa, %RH after a forced measurement
-- Run against the emulator's model: --attach i2c:0x76=bme280 or --attach spi:8=bme280.
local M = {}

local function i2c_read(id, addr, reg, n)
  i2c.start(id)
  if not i2c.address(id, addr, i2c.TRANSMITTER) then
    i2c.stop(id)
    return nil
  end
  i2c.write(id, reg)
  i2c.start(id)  -- repeated start: the register pointer stays where the write put it
  i2c.address(id, addr, i2c.RECEIVER)
  local data = i2c.read(id, n)
  i2c.stop(id)
  return data
end

local function i2c_write(id, addr, reg, value)
  i2c.start(id)
  local ok = i2c.address(id, addr, i2c.TRANSMITTER) and i2c.write(id, reg, value) == 2
  i2c.stop(id)
  return ok
end

-- SPI (6.3): chip-select low, a control byte (bit 7: 1 read, 0 write; bits 6..0 the register's),
-- then the data; reads go on at the next register for as long as chip-select stays low.
local function spi_read(cs, reg, n)
  gpio.write(cs, gpio.LOW)
  spi.send(1, bit.bor(reg, 0x80))
  local data = spi.recv(1, n)
  gpio.write(cs, gpio.HIGH)
  return data
end

local function spi_write(cs, reg, value)
  gpio.write(cs, gpio.LOW)
  spi.send(1, bit.band(reg, 0x7f), value)
  gpio.write(cs, gpio.HIGH)
  return true
end

local function u16(s, i) return s:byte(i) + s:byte(i + 1) * 256 end
local function s16(s, i)
  local v = u16(s, i)
  return v >= 32768 and v - 65536 or v
end
local function s8(v) return v >= 128 and v - 256 or v end

-- The trimming parameters, 0x88..0xA1 and 0xE1..0xE7 (5.4.3, table 16).
local function calibration(read)
  local a, b = read(0x88, 26), read(0xE1, 7)
  if not a or not b then return nil end
  local c = { T1 = u16(a, 1), T2 = s16(a, 3), T3 = s16(a, 5), P1 = u16(a, 7) }
  for i = 2, 9 do c["P" .. i] = s16(a, 7 + 2 * (i - 1)) end
  c.H1 = a:byte(26)
  c.H2 = s16(b, 1)
  c.H3 = b:byte(3)
  local e4, e5, e6 = b:byte(4), b:byte(5), b:byte(6)
  c.H4 = s8(e4) * 16 + e5 % 16
  c.H5 = s8(e6) * 16 + math.floor(e5 / 16)
  c.H6 = s8(b:byte(7))
  return c
end

-- 8.1: temperature (°C, and t_fine for the others), pressure (Pa), humidity (%RH).
local function compensate(c, adc_T, adc_P, adc_H)
  local v1 = (adc_T / 16384 - c.T1 / 1024) * c.T2
  local v2 = (adc_T / 131072 - c.T1 / 8192) ^ 2 * c.T3
  local t_fine = v1 + v2
  local t = t_fine / 5120

  v1 = t_fine / 2 - 64000
  v2 = v1 * v1 * c.P6 / 32768
  v2 = v2 + v1 * c.P5 * 2
  v2 = v2 / 4 + c.P4 * 65536
  v1 = (c.P3 * v1 * v1 / 524288 + c.P2 * v1) / 524288
  v1 = (1 + v1 / 32768) * c.P1
  local p = 0
  if v1 ~= 0 then
    p = 1048576 - adc_P
    p = (p - v2 / 4096) * 6250 / v1
    v1 = c.P9 * p * p / 2147483648
    v2 = p * c.P8 / 32768
    p = p + (v1 + v2 + c.P7) / 16
  end

  local h = t_fine - 76800
  h = (adc_H - (c.H4 * 64 + c.H5 / 16384 * h)) *
      (c.H2 / 65536 * (1 + c.H6 / 67108864 * h * (1 + c.H3 / 67108864 * h)))
  h = h * (1 - c.H1 * h / 524288)
  h = math.max(0, math.min(100, h))
  return t, p, h
end

local Sensor = {}
Sensor.__index = Sensor

-- Oversampling x1 for all three, forced mode, no filter (the datasheet's "weather monitoring").
-- read(reg, n) and write(reg, value) speak to the chip over one of the buses.
local function open(read, write)
  local chip = read(0xD0, 1)
  if not chip or chip:byte(1) ~= 0x60 then return nil end
  local c = calibration(read)
  if not c then return nil end
  write(0xF5, 0x00)  -- config: filter off
  write(0xF2, 0x01)  -- ctrl_hum: humidity x1 (effective at the ctrl_meas write)
  return setmetatable({ read = read, write = write, cal = c }, Sensor)
end

function M.new(id, addr)
  return open(function(reg, n) return i2c_read(id, addr, reg, n) end,
              function(reg, value) return i2c_write(id, addr, reg, value) end)
end

-- The chip-select pin is driven here (set up as an output, idle high).
function M.new_spi(cs)
  gpio.mode(cs, gpio.OUTPUT)
  gpio.write(cs, gpio.HIGH)
  return open(function(reg, n) return spi_read(cs, reg, n) end,
              function(reg, value) return spi_write(cs, reg, value) end)
end

-- Raw values of the last measurement.
function Sensor:raw()
  local d = self.read(0xF7, 8)
  if not d then return nil end
  local adc_P = d:byte(1) * 4096 + d:byte(2) * 16 + math.floor(d:byte(3) / 16)
  local adc_T = d:byte(4) * 4096 + d:byte(5) * 16 + math.floor(d:byte(6) / 16)
  local adc_H = d:byte(7) * 256 + d:byte(8)
  return adc_T, adc_P, adc_H
end

-- Starts a forced measurement and calls back with °C, hPa, %RH once status says it is done.
function Sensor:measure(callback)
  self.write(0xF4, 0x25)  -- osrs_t x1, osrs_p x1, forced mode
  tmr.create():alarm(10, tmr.ALARM_AUTO, function(t)
    local status = self.read(0xF3, 1)
    if status and status:byte(1) % 16 >= 8 then return end  -- measuring[3]: not yet
    t:unregister()
    local adc_T, adc_P, adc_H = self:raw()
    if not adc_T then return callback(nil) end
    local temp, pa, rh = compensate(self.cal, adc_T, adc_P, adc_H)
    callback(temp, pa / 100, rh)
  end)
end

M.compensate = compensate
return M
