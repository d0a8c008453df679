-- args: --virtual-time
-- pwm's waveform as the pin's history shows it: the edges a duty and a clock imply over a window
-- of virtual time (computed when the history is read, no timer per edge), duty -> high time,
-- a new duty or clock restarting the wave, stop leaving the pin low.
local emu = require "emu"

local PIN, OTHER = 1, 2  -- OTHER: a pin with no history yet

-- The time the pin spent high in [from, to) (µs), from its history.
local function high_time(history, from, to)
  local total, since = 0, nil
  for _, change in ipairs(history) do
    local at, level = change[1], change[2]
    if at >= to then break end
    if level == 1 then since = math.max(at, from)
    elseif since then
      if at > from then total = total + (at - since) end
      since = nil
    end
  end
  if since then total = total + (to - since) end
  return total
end

local function after(ms, fn) tmr.create():alarm(ms, tmr.ALARM_SINGLE, fn) end

emu.async("duty 256 of 1023 at 1 kHz: high 250 µs of every 1000", function(done)
  pwm.setup(PIN, 1000, 256)
  local t0 = tmr.now()
  pwm.start(PIN)
  after(20, function()
    emu.check(function()
      local h = emu_gpio.history(PIN)
      local from
      for i, c in ipairs(h) do
        if c[1] >= t0 then from = i break end
      end
      emu.truthy(from, "edges since start")
      emu.same(h[from], { t0, 1 })
      emu.same(h[from + 1], { t0 + 250, 0 })
      emu.same(h[from + 2], { t0 + 1000, 1 })
      emu.same(h[from + 3], { t0 + 1250, 0 })
      emu.eq(#h - from + 1, 41, "20 periods, and the rise of the 21st at 20 ms")
      emu.eq(high_time(h, t0, t0 + 20000), 20 * 250)
    end)
    pwm.close(PIN)
    done()
  end)
end)

emu.async("duty -> high time over a window, for several duties and clocks", function(done)
  local cases = { { 500, 100 }, { 500, 512 }, { 100, 1000 }, { 1000, 1 }, { 50, 900 } }
  local i = 0
  local function next_case()
    i = i + 1
    local case = cases[i]
    if not case then
      pwm.close(PIN)
      return done()
    end
    local freq, duty = case[1], case[2]
    pwm.setup(PIN, freq, duty)
    local t0 = tmr.now()
    pwm.start(PIN)
    after(1000, function()
      emu.check(function()
        local period = math.floor(1000000 / freq)
        local high = math.max(1, math.floor(period * duty / 1023))
        local window = 1000000  -- a whole number of periods for every case
        emu.eq(high_time(emu_gpio.history(PIN), t0, t0 + window), high * (window / period),
               string.format("%d Hz duty %d", freq, duty))
        local fraction = high_time(emu_gpio.history(PIN), t0, t0 + window) / window
        emu.truthy(math.abs(fraction - duty / 1023) < 0.002, "fraction " .. fraction)
      end)
      pwm.stop(PIN)
      next_case()
    end)
  end
  next_case()
end)

emu.async("setduty and setclock restart the wave; stop leaves the pin low; gpio.read samples it", function(done)
  pwm.setup(OTHER, 1000, 512)
  local t0 = tmr.now()
  pwm.start(OTHER)
  after(3, function()
    local t1 = tmr.now()
    pwm.setduty(OTHER, 100)  -- at a period's start: the new wave goes on from the rise at 3000
    after(2, function()
      local t2 = tmr.now()
      pwm.setclock(OTHER, 500)
      after(4, function()
        local t3 = tmr.now()
        emu.eq(gpio.read(OTHER), 1, "at the start of a period the wave is high")
        pwm.stop(OTHER)
        emu.eq(gpio.read(OTHER), 0)
        emu.check(function()
          local h, seen = emu_gpio.history(OTHER), {}
          for _, c in ipairs(h) do
            if c[1] >= t0 then seen[#seen + 1] = { c[1] - t0, c[2] } end
          end
          emu.eq(t1 - t0, 3000)
          emu.same(seen, {
            { 0, 1 }, { 500, 0 }, { 1000, 1 }, { 1500, 0 }, { 2000, 1 }, { 2500, 0 },
            { 3000, 1 }, { 3097, 0 }, { 4000, 1 }, { 4097, 0 },        -- duty 100: 97 µs high
            { 5000, 1 }, { 5195, 0 }, { 7000, 1 }, { 7195, 0 },        -- 500 Hz: 2000 µs periods
            { 9000, 1 }, { 9000, 0 } }, "edges: stopped at a period's start, seen high")
          emu.eq(t3 - t0, 9000)
        end)
        pwm.close(OTHER)
        done()
      end)
    end)
  end)
end)
