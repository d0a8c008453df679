-- Blink the on-board LED (GPIO2 = pin 4, active low) with tmr timers, the NodeMCU way:
-- an ALARM_AUTO timer toggles it, an ALARM_SINGLE timer stops the blinking, an ALARM_SEMI
-- timer re-arms itself from its callback for a faster burst at the end.
-- Usage: nodemcu-emu --virtual-time examples/tmr_blink.lua   (a few ms instead of 6 s)
local LED = 4
gpio.mode(LED, gpio.OUTPUT)
gpio.write(LED, gpio.HIGH)  -- off

local function toggle()
  local level = gpio.read(LED) == gpio.HIGH and gpio.LOW or gpio.HIGH
  gpio.write(LED, level)
  print(string.format("%6.3f s  LED %s", tmr.now() / 1e6, level == gpio.LOW and "on" or "off"))
end

-- Every 500 ms, for ever (until stopped). The timer is anchored while it runs, so dropping
-- the variable would not stop it.
local blink = tmr.create()
blink:alarm(500, tmr.ALARM_AUTO, toggle)

-- After 4.25 s: stop the slow blink and do five quick flashes with a semi-automatic timer.
tmr.create():alarm(4250, tmr.ALARM_SINGLE, function()
  blink:unregister()
  local flashes = 0
  local burst = tmr.create()
  burst:alarm(100, tmr.ALARM_SEMI, function(t)
    toggle()
    flashes = flashes + 1
    if flashes < 10 then t:start() end  -- ALARM_SEMI: start() from the callback re-arms it
  end)
end)
-- Nothing else is armed once the burst ends, so the emulator exits (the device would idle).
