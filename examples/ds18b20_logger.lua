-- Log the temperature of every DS18B20 probe on pin 3 every 5 s, and show it on an 8-LED
-- WS2812 strip as a bar (blue below 20 °C, red above), by hand with the ow module: search the
-- bus, Convert T on all probes at once (Skip ROM), wait the 750 ms conversion, read each
-- scratchpad and check its CRC.
-- Usage: nodemcu-emu --virtual-time --run-for 20 \
--          --attach ow:3=ds18b20,temperature=18.5 --attach ow:3=ds18b20,temperature=23 \
--          --attach ws2812=strip:8 --trace examples/ds18b20_logger.lua
-- Without --attach the bus is empty and the logger says so, as on a bare board.
local PIN, LEDS = 3, 8

ow.setup(PIN)
local probes = {}
ow.reset_search(PIN)
repeat
  local rom = ow.search(PIN)
  if rom and rom:byte(1) == 0x28 and ow.crc8(rom:sub(1, 7)) == rom:byte(8) then
    probes[#probes + 1] = rom
  end
until rom == nil
print(("%d probe(s) on pin %d"):format(#probes, PIN))

ws2812.init()
local bar = ws2812.newBuffer(LEDS, 3)

local function show(celsius)
  local lit = math.max(0, math.min(LEDS, math.floor((celsius - 10) / 2.5)))
  bar:fill(0, 0, 0)
  for i = 1, lit do
    if celsius < 20 then bar:set(i, 0, 0, 64) else bar:set(i, 0, 64, 0) end  -- G, R, B
  end
  ws2812.write(bar)
end

local function read(rom)
  ow.reset(PIN)
  ow.select(PIN, rom)
  ow.write(PIN, 0xBE, 1)
  local data = ow.read_bytes(PIN, 9)
  if ow.crc8(data:sub(1, 8)) ~= data:byte(9) then return nil end
  local raw = data:byte(1) + data:byte(2) * 256
  if raw > 32767 then raw = raw - 65536 end
  return raw / 16
end

local function cycle()
  if #probes == 0 then
    print("no DS18B20 found: nothing to log")
    return
  end
  ow.reset(PIN)
  ow.skip(PIN)
  ow.write(PIN, 0x44, 1)  -- every probe converts at once
  tmr.create():alarm(750, tmr.ALARM_SINGLE, function()
    local sum = 0
    for i, rom in ipairs(probes) do
      local c = read(rom)
      print(("%.3f s  probe %d  %s"):format(tmr.now() / 1e6, i, c and ("%.4f C"):format(c) or "CRC error"))
      sum = sum + (c or 0)
    end
    show(sum / #probes)
  end)
end

cycle()
tmr.create():alarm(5000, tmr.ALARM_AUTO, cycle)
