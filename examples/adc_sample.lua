-- Read the analog input (the TOUT pin, 0..1024 for 0..1 V) once a second and convert it.
-- Usage: nodemcu-emu --virtual-time --adc 700 examples/adc_sample.lua
--        nodemcu-emu --adc vdd33 -e "print(adc.readvdd33())"   (the ADC measures the supply)
local samples = 0
tmr.create():alarm(1000, tmr.ALARM_AUTO, function(t)
  local raw = adc.read(0)
  print(string.format("%2d s  raw %4d  = %.3f V", tmr.time(), raw, raw / 1024))
  samples = samples + 1
  if samples == 5 then t:unregister() end
end)
