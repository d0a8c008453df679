-- pwm (pwm.c, platform.c, driver/pwm.c): 6 channels, one frequency, duties 0..1023.
local emu = require "emu"

local function reset()
  for pin = 1, 12 do pwm.close(pin) end
end

emu.test("setup returns the frequency; the duty reaches the pin at start", function()
  reset()
  emu.eq(pwm.setup(1, 500, 512), 500)
  emu.eq(pwm.getduty(1), 512)
  emu.eq(pwm.getclock(1), 500)
  pwm.start(1)
  emu.eq(pwm.setduty(1, 1023), 1023)
  emu.eq(gpio.read(1), 1, "full duty: the pad is high")
  pwm.stop(1)
  emu.eq(gpio.read(1), 0, "stopped: low")
  emu.eq(pwm.getduty(1), 1023, "stop keeps the duty")
end)

emu.test("one frequency for every channel, clamped to 1..1000 Hz", function()
  reset()
  pwm.setup(1, 100, 0)
  pwm.setup(2, 2000, 0)
  emu.eq(pwm.getclock(1), 1000, "the last setup set it for all")
  emu.eq(pwm.setclock(2, 65536 + 50), 50, "16 bits, then clamped")
  emu.eq(pwm.getclock(1), 50)
end)

emu.test("a seventh channel: too many pwms.", function()
  reset()
  for pin = 1, 6 do pwm.setup(pin, 100, 1) end
  emu.raises("too many pwms.", pwm.setup, 7, 100, 1)
  pwm.setup(6, 200, 1)  -- a pin already in use takes its channel again
  reset()
end)

emu.test("gpio.mode gives a PWM pin up", function()
  reset()
  pwm.setup(3, 100, 100)
  gpio.mode(3, gpio.OUTPUT)
  emu.eq(pwm.getduty(3), 0)
  emu.raises("Unable to start PWM output", pwm.start, 3)
end)

emu.test("functions on a pin without PWM answer 0", function()
  reset()
  emu.eq(pwm.getduty(5), 0)
  emu.eq(pwm.getclock(5), 0)
  emu.eq(pwm.setduty(5, 10), 0)
  emu.eq(pwm.setclock(5, 10), 0)
  pwm.stop(5)
  pwm.close(5)
end)

emu.test("argument checks and texts", function()
  emu.raises("no pwm for D0", pwm.setup, 0, 100, 0)
  emu.raises("pwm 13 does not exist", pwm.setup, 13, 100, 0)
  emu.raises("pwm 0 does not exist", pwm.start, 0)
  emu.raises("wrong arg range", pwm.setup, 1, 0, 0)
  emu.raises("wrong arg range", pwm.setup, 1, 100, 1024)
  emu.raises("wrong arg range", pwm.setup, 1, 100, -1)
  emu.raises("wrong arg range", pwm.setclock, 1, 0)
  emu.raises("wrong arg range", pwm.setduty, 1, 1024)
end)

emu.test("a negative duty passes setduty's check and wraps to full duty", function()
  reset()
  pwm.setup(4, 100, 0)
  emu.eq(pwm.setduty(4, -1), 1023)
end)

emu.test("pwm2 is 3.x only", function()
  emu.eq(pwm2, nil)
end)
