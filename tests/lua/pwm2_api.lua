-- args: --firmware=3
-- pwm2 (3.0: pwm2.c, driver/pwm2.c): per-pin frequency and resolution on timer1 (80 MHz CPU).
local emu = require "emu"

emu.test("setup_pin_hz computes the driver's ticks; start and stop", function()
  pwm2.setup_pin_hz(3, 250, 100, 50)
  emu.same({ pwm2.get_pin_data(3) }, { 1, 50, 100, 1, 250, 3200, 1 })
  emu.same({ pwm2.get_timer_data() }, { false, 3200, 200 })
  emu.eq(pwm2.start(), true)
  emu.eq((pwm2.get_timer_data()), true)
  pwm2.set_duty(3, 100)
  emu.eq(gpio.read(3), 1, "full duty")
  pwm2.set_duty(3, 0)
  emu.eq(gpio.read(3), 0)
  emu.raises("pwm2 : already started, stop it before setting up pins.", pwm2.setup_pin_hz, 4, 1, 1, 1)
  emu.raises("pwm2 : pwm is started, stop it first.", pwm2.release_pin, 3)
  pwm2.stop()
  emu.eq((pwm2.get_timer_data()), false)
end)

emu.test("two pins: the timer runs at the greatest common divisor of their ticks", function()
  -- pin 3 is still set up from the case before: 3200 ticks
  pwm2.setup_pin_hz(5, 1000, 10, 0)   -- 80e6 / (1000 * 10) = 8000 ticks
  pwm2.setup_pin_sec(6, 1, 5, 1)      -- one period a second: 80e6 / 5 = 16e6 ticks
  local _, cpu, ticks = pwm2.get_timer_data()
  emu.eq(cpu, 1600)
  emu.eq(ticks, 100)
  emu.eq(select(7, pwm2.get_pin_data(5)), 5)
  emu.eq(select(6, pwm2.get_pin_data(6)), 16000000)
end)

emu.test("argument checks", function()
  emu.raises("bad argument #1 to '?' (invalid pin number)", pwm2.setup_pin_hz, 0, 1, 1, 1)
  emu.raises("bad argument #2 to '?' (invalid frequency)", pwm2.setup_pin_hz, 1, 0, 1, 1)
  emu.raises("bad argument #3 to '?' (invalid frequency resolution)", pwm2.setup_pin_hz, 1, 1, 0, 1)
  emu.raises("bad argument #4 to '?' (invalid duty)", pwm2.setup_pin_hz, 1, 1, 10, 11)
  emu.raises("bad argument #5 to '?' (invalid frequency fractions)", pwm2.setup_pin_hz, 1, 1, 10, 1, 0)
  emu.raises("bad argument #2 to '?' (invalid duty)", pwm2.set_duty, 9, 1)
  emu.raises("bad argument #1 to '?' (invalid pin number)", pwm2.get_pin_data, 14)
end)

emu.test("release_pin releases pin 2 whatever pin it is given, as pwm2.c does", function()
  pwm2.setup_pin_hz(2, 100, 10, 5)
  pwm2.setup_pin_hz(7, 100, 10, 5)
  pwm2.release_pin(7)
  emu.eq((pwm2.get_pin_data(7)), 1)
  emu.eq((pwm2.get_pin_data(2)), 0)
end)
