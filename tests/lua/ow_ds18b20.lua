-- args: --fs fixtures/fs/ds18b20-2
-- DS18B20 probes on a 1-wire pin (emu.attach), read by hand and by the firmware's own
-- lua_modules/ds18b20 driver (2.2.1, unchanged, in fixtures/fs/ds18b20-2).
local emu = require "emu"
local ow, tmr, string, table = ow, tmr, string, table

local function scratchpad(pin, rom)
  ow.reset(pin)
  ow.select(pin, rom)
  ow.write(pin, 0xBE, 1)
  return ow.read_bytes(pin, 9)
end

local function celsius(data)
  local t = data:byte(1) + data:byte(2) * 256
  if t > 32767 then t = t - 65536 end
  return t / 16
end

emu.async("search, Convert T on the clock, scratchpad with a valid CRC", function(done)
  local h = emu.attach("ow:3=ds18b20", { temperature = 23.5 })
  ow.setup(3)
  ow.reset_search(3)
  local rom = ow.search(3)
  emu.truthy(rom, "found")
  emu.eq(rom:byte(1), 0x28)
  emu.eq(ow.crc8(rom:sub(1, 7)), rom:byte(8))
  emu.eq(ow.search(3), nil, "one probe only")
  local data = scratchpad(3, rom)
  emu.eq(ow.crc8(data:sub(1, 8)), data:byte(9))
  emu.eq(celsius(data), 85, "power-on value")
  emu.eq(ow.reset(3), 1)
  ow.skip(3)
  ow.write(3, 0x44, 1)
  emu.eq(ow.read(3), 0, "busy converting")
  tmr.create():alarm(750, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.eq(celsius(scratchpad(3, rom)), 23.5)
      h:detach()
      done()
    end)
  end)
end)

emu.test("several probes on one pin: search finds each once", function()
  local hs = {}
  for i = 1, 4 do hs[i] = emu.attach("ow:5=ds18b20") end
  ow.setup(5)
  ow.reset_search(5)
  local seen, n = {}, 0
  for _ = 1, 10 do
    local rom = ow.search(5)
    if not rom then break end
    emu.eq(seen[rom], nil, "each ROM once")
    seen[rom] = true
    n = n + 1
  end
  emu.eq(n, 4)
  for _, h in ipairs(hs) do h:detach() end
end)

emu.test("a given serial makes the ROM; state shows it with the scratchpad", function()
  local h = emu.attach("ow:6=ds18b20:1a2b3c")
  local s = h:state()
  emu.eq(s.rom:sub(1, 14), "283c2b1a000000")
  emu.eq(s.resolution, 12)
  emu.eq(s.temperature, 21)
  h:detach()
end)

emu.async("the firmware's ds18b20 module reads every probe, scripted over time", function(done)
  local a = emu.attach("ow:3=ds18b20", { temperature = 20 })
  local b = emu.attach("ow:3=ds18b20", { temperature = -10.125 })
  a:script("temperature", { { 0, 20 }, { 10, 30 } }, "linear")
  local t = require("ds18b20")
  _G.ow, _G.tmr, _G.string, _G.table = ow, tmr, string, table  -- the driver nils them
  t:read_temp(function(temps)
    emu.check(function()
      local values = {}
      for addr, value in pairs(temps) do
        emu.eq(addr:byte(1), 0x28)
        values[#values + 1] = value
      end
      table.sort(values)
      emu.eq(#values, 2)
      emu.eq(values[1], -10.125)
      emu.truthy(values[2] >= 20 and values[2] < 21, "20 C, a little later on the ramp")
      emu.eq(#t.sens, 2)
      a:detach()
      b:detach()
      done()
    end)
  end, 3, t.C)
end)
