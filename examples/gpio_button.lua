-- Count presses of a push button on pin 1 (to ground, with the internal pull-up) with a
-- falling-edge interrupt, and light the LED on pin 4 (active low) while it is held.
-- The "button" is played by emu_gpio.drive, the emulator's stand-in for the world outside
-- the chip; on a device, delete that part and press the real button.
-- Usage: nodemcu-emu --virtual-time examples/gpio_button.lua
local BUTTON, LED = 1, 4
local presses = 0

gpio.mode(LED, gpio.OUTPUT)
gpio.write(LED, gpio.HIGH)
gpio.mode(BUTTON, gpio.INT, gpio.PULLUP)

local function on_edge(level, when, count)
  if level == gpio.LOW then
    presses = presses + count
    gpio.write(LED, gpio.LOW)
    print(string.format("%8.3f ms  pressed (%d so far)", when / 1000, presses))
    gpio.trig(BUTTON, "up")  -- now wait for the release
  else
    gpio.write(LED, gpio.HIGH)
    print(string.format("%8.3f ms  released", when / 1000))
    gpio.trig(BUTTON, "down")
  end
end
gpio.trig(BUTTON, "down", on_edge)

-- --- the emulated finger: three presses of 150 ms, 300 ms apart ---
local step, finger = 0, tmr.create()
finger:alarm(150, tmr.ALARM_AUTO, function(t)
  step = step + 1
  if step > 6 then
    t:unregister()
    gpio.trig(BUTTON, "none")
    print("presses counted:", presses)
    return
  end
  emu_gpio.drive(BUTTON, step % 2 == 1 and gpio.LOW or gpio.HIGH)
end)
