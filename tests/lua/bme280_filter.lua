-- args: --virtual-time --fs ../../examples
-- The BME280's IIR filter (datasheet 3.4.4): in normal mode each measurement's temperature and
-- pressure go through filtered = (previous * (c - 1) + new) / c, humidity does not. Readings
-- scripted to step show the filtered values converging, one measurement at a time.
local emu = require "emu"
local bme280 = require "bme280"

i2c.setup(0, 1, 2, i2c.SLOW)

local function set(...)
  i2c.start(0) i2c.address(0, 0x76, i2c.TRANSMITTER) i2c.write(0, ...) i2c.stop(0)
end

-- Normal mode with T, P, H x1 (t_measure 8 ms) and t_standby 125 ms: one measurement every
-- 133 ms, the first ending 8 ms after the ctrl_meas write. Readings step at 2 s: measurement
-- 15 (ending at 2003 ms) is the first to see them. `config` holds the filter; the callback gets
-- the compensated values read between measurement k and k+1, for k = 0..count-1.
local function run(config, count, callback)
  local h = emu.attach("i2c:0x76=bme280")
  local sensor = bme280.new(0, 0x76)
  h:script("temperature", { { 0, 20 }, { 2, 30 } }, "step")
  h:script("pressure", { { 0, 1000 }, { 2, 1010 } }, "step")
  h:script("humidity", { { 0, 40 }, { 2, 60 } }, "step")
  set(0xF5, config, 0xF2, 0x01, 0xF4, 0x27)
  local values, k = {}, 0
  local ticker = tmr.create()
  local function read()
    local temp, pa, rh = bme280.compensate(sensor.cal, sensor:raw())
    values[k] = { t = temp, p = pa / 100, h = rh, raw_h = select(3, sensor:raw()), n = h:state().measurements }
    k = k + 1
    if k == count then
      ticker:unregister()
      h:detach()
      callback(values)
    end
  end
  tmr.create():alarm(70, tmr.ALARM_SINGLE, function()
    read()
    ticker:alarm(133, tmr.ALARM_AUTO, read)
  end)
end

local function near(actual, expected, tolerance, what)
  if math.abs(actual - expected) > tolerance then
    error(string.format("%s: expected %.4f ± %g, got %.4f", what, expected, tolerance, actual), 2)
  end
end

emu.async("coefficient 16: temperature and pressure converge, humidity jumps", function(done)
  run(0x40 + 0x10, 120, function(v)  -- t_standby 125 ms (0x40), filter 16 (4 << 2)
    emu.check(function()
      for k = 0, 119 do emu.eq(v[k].n, k + 1, "one measurement between reads") end
      near(v[14].t, 20, 0.01, "before the step")
      near(v[14].p, 1000, 0.02, "pressure before the step")
      near(v[14].h, 40, 0.05, "humidity before the step")
      for k = 15, 60 do
        -- 3.4.4 on the raw value, which is close to linear in °C here
        near(v[k].t, 30 - 10 * (15 / 16) ^ (k - 14), 0.03, "temperature at measurement " .. k)
        emu.truthy(v[k].t > v[k - 1].t, "rising at " .. k)
        -- the raw humidity steps at once (its compensation uses the filtered temperature)
        emu.eq(v[k].raw_h, v[119].raw_h, "humidity is not filtered, at " .. k)
      end
      near(v[15].t, 20.625, 0.03, "one measurement after the step")
      emu.truthy(v[15].p > 1000.3 and v[15].p < 1001.2, "pressure a sixteenth of the way: " .. v[15].p)
      near(v[119].t, 30 - 10 * (15 / 16) ^ 105, 0.01, "after 105 measurements")
      near(v[119].p, 1010, 0.05, "pressure after 105 measurements")
      near(v[119].h, 60, 0.05, "humidity")
    end)
    done()
  end)
end)

emu.async("coefficient 2 halves the distance each measurement; filter off follows at once", function(done)
  run(0x40 + 0x04, 20, function(v)
    emu.check(function()
      near(v[15].t, 25, 0.03, "half way")
      near(v[16].t, 27.5, 0.03, "three quarters")
      near(v[19].t, 30 - 10 / 32, 0.03, "5 measurements")
    end)
    run(0x40, 16, function(off)
      emu.check(function()
        near(off[14].t, 20, 0.01, "before")
        near(off[15].t, 30, 0.01, "no filter: the step at once")
        near(off[15].p, 1010, 0.02, "no filter: pressure at once")
      end)
      done()
    end)
  end)
end)

emu.async("an hour of measurements costs no more than the last few hundred", function(done)
  local h = emu.attach("i2c:0x76=bme280")
  local sensor = bme280.new(0, 0x76)
  h:script("temperature", { { 0, 20 }, { 1800, 30 } }, "step")
  set(0xF5, 0x10, 0xF4, 0x27)  -- t_standby 0.5 ms, filter 16: a measurement every 8.5 ms
  tmr.create():alarm(3600 * 1000, tmr.ALARM_SINGLE, function()
    emu.check(function()
      local t = bme280.compensate(sensor.cal, sensor:raw())
      near(t, 30, 0.01, "converged long ago")
      emu.eq(h:state().measurements, 423529, "every cycle counted (3600 s / 8.5 ms)")
      h:detach()
    end)
    done()
  end)
end, 3601 * 1000)
