-- Models written in Lua on the pin buses (docs/peripherals.md, "Writing a model in Lua"): a
-- 1-Wire slave that answers Search ROM, Read ROM and a command of its own, slot by slot; a DHT
-- sensor answering with 5 bytes; a WS2812 chain receiving frames. Errors inside a model are
-- raised by the module call that ran it.
local emu = require "emu"

-- A 1-Wire slave from the bus's side: bytes LSB first, ROM commands after each reset, then one
-- function command: 0xBE sends `payload`. `log` keeps every slot's time (tmr.now()'s clock).
local function onewire_slave(rom, payload)
  local dev = { rom = rom, payload = payload, times = {} }
  local function bits_of(bytes)
    local out = {}
    for i = 1, #bytes do
      local b = bytes:byte(i)
      for _ = 1, 8 do out[#out + 1] = b % 2 b = math.floor(b / 2) end
    end
    return out
  end
  function dev:reset(us)
    self.times[#self.times + 1] = us
    self.state, self.byte, self.nbits, self.out = "rom", 0, 0, {}
    return true  -- presence pulse
  end
  function dev:byte_done(b)
    if self.state == "rom" then
      if b == 0x33 then self.out, self.state = bits_of(self.rom), "function"        -- Read ROM
      elseif b == 0xCC then self.state = "function"                                 -- Skip ROM
      elseif b == 0x55 then self.state, self.match = "match", ""                    -- Match ROM
      elseif b == 0xF0 then self.state, self.search, self.i = "search", bits_of(self.rom), 1
      else self.state = "idle" end
    elseif self.state == "match" then
      self.match = self.match .. string.char(b)
      if #self.match == 8 then self.state = self.match == self.rom and "function" or "idle" end
    elseif self.state == "function" and b == 0xBE then
      self.out = bits_of(self.payload)
    end
  end
  function dev:write_bit(bit, us)
    self.times[#self.times + 1] = us
    if self.state == "search" then
      -- after the bit and its complement, the master's direction: drop out if it is not ours
      if bit ~= self.search[self.i] then self.state = "idle" end
      self.i, self.phase = self.i + 1, nil
      if self.i > 64 then self.state = "function" end
      return
    end
    self.byte = self.byte + bit * 2 ^ self.nbits
    self.nbits = self.nbits + 1
    if self.nbits == 8 then
      local b = self.byte
      self.byte, self.nbits = 0, 0
      self:byte_done(b)
    end
  end
  function dev:read_bit(us)
    self.times[#self.times + 1] = us
    if self.state == "search" then
      local b = self.search[self.i]
      if self.phase == nil then self.phase = 1 return b end
      return 1 - b  -- the complement
    end
    return table.remove(self.out, 1) or 1  -- nothing to send: the line stays released
  end
  return dev
end

local function rom_with_crc(family, serial)
  local rom = string.char(family) .. serial
  return rom .. string.char(ow.crc8(rom))
end

emu.test("ow: a Lua slave found by search, read by ROM, selected, its slots timed", function()
  local rom = rom_with_crc(0x42, "\1\2\3\4\5\6")
  local other = rom_with_crc(0x42, "\1\2\3\4\5\7")
  local a = emu.attach{ bus = "ow", address = 3, model = onewire_slave(rom, "hello"), multi_drop = true }
  local b = emu.attach{ bus = "ow", address = 3, model = onewire_slave(other, "world"), multi_drop = true }
  ow.setup(3)
  emu.eq(ow.reset(3), 1)
  ow.reset_search(3)
  local found = {}
  repeat
    local r = ow.search(3)
    if r then found[#found + 1] = r end
  until not r
  table.sort(found)
  emu.same(found, { rom, other }, "both told apart by the search alone")
  for _, pick in ipairs({ { rom, "hello" }, { other, "world" } }) do
    ow.reset(3)
    ow.select(3, pick[1])
    ow.write(3, 0xBE)
    emu.eq(ow.read_bytes(3, 5), pick[2])
  end
  local times = a:state().times
  for i = 2, #times do emu.truthy(times[i] > times[i - 1], "slots in time order") end
  emu.truthy(times[#times] <= tmr.now(), "slot times on tmr.now()'s clock")
  emu.truthy(times[#times] > tmr.now() - 1000, "the last slot just now")
  a:detach()
  b:detach()
  emu.eq(ow.reset(3), 0, "empty again")
end)

emu.test("ow: Read ROM from a single slave; an error in the model is the call's error", function()
  local rom = rom_with_crc(0x28, "\9\8\7\6\5\4")
  local h = emu.attach{ bus = "ow", address = 4, model = onewire_slave(rom, "") }
  ow.setup(4)
  ow.reset(4)
  ow.write(4, 0x33)
  emu.eq(ow.read_bytes(4, 8), rom)
  h:state().read_bit = function() error("slave exploded") end
  local ok, err = pcall(ow.read, 4)
  emu.eq(ok, false)
  emu.contains(err, "slave exploded")
  emu.eq(ow.reset(4), 1, "the next call runs normally")
  h:detach()
end)

emu.test("ow: a model may call ow, detach itself and attach another, from inside a slot", function()
  local rom = rom_with_crc(0x42, "\6\5\4\3\2\1")
  local slave = onewire_slave(rom, "")
  local h
  local plain_read_bit = slave.read_bit
  function slave:read_bit(us)
    -- a nested call walks its own list of devices (here another pin's: one on this pin would
    -- reset this very slave), then the outer call goes on with its own
    self.nested = (self.nested or 0) + 1
    if self.nested <= 2 then
      ow.reset(7)
      ow.write(7, 0xCC)
    elseif self.nested == 3 then
      h:detach()
      emu.attach{ bus = "ow", address = 6, model = onewire_slave(rom, ""), multi_drop = true }
    end
    return plain_read_bit(self, us)
  end
  h = emu.attach{ bus = "ow", address = 6, model = slave, multi_drop = true }
  -- a second device that only answers presence (every read slot left to the pull-up)
  local quiet = emu.attach{ bus = "ow", address = 6, model = {}, multi_drop = true }
  ow.setup(6)
  ow.reset(6)
  ow.write(6, 0x33)
  emu.eq(ow.read_bytes(6, 8), rom, "the outer call still reads the devices it began with")
  emu.eq(ow.reset(6), 1, "the model attached from inside answers")
  quiet:detach()
end)

emu.test("dht: a Lua sensor answers the start pulse with 5 bytes", function()
  local sensor = { pulses = {} }
  -- DHT22 format: humidity and temperature in tenths, bit 15 of temperature the sign
  function sensor:respond(low_us)
    self.pulses[#self.pulses + 1] = low_us
    if self.silent then return nil end
    local h, t = 652, 0x8000 + 45
    local bytes = { math.floor(h / 256), h % 256, math.floor(t / 256), t % 256 }
    bytes[5] = (bytes[1] + bytes[2] + bytes[3] + bytes[4]) % 256
    return string.char(unpack(bytes))
  end
  local h = emu.attach{ bus = "dht", address = 5, model = sensor }
  local status, temp, humi = dht.read(5)
  emu.eq(status, dht.OK)
  emu.eq(temp, -4.5)
  emu.eq(humi, 65.2)
  emu.eq(sensor.pulses[1], 18000, "dht.read's 18 ms start pulse")
  sensor.silent = true
  emu.eq(dht.read(5), dht.ERROR_TIMEOUT)
  sensor.silent = false
  function sensor:respond() return "abc" end
  emu.raises("dht model: respond must return 5 bytes or nil, got 3", function() dht.read(5) end)
  h:detach()
  emu.eq(dht.read(5), dht.ERROR_TIMEOUT)
end)

emu.test("ws2812: a Lua chain receives each frame, on either output", function()
  local first = { frames = {} }
  function first:receive(frame) self.frames[#self.frames + 1] = frame end
  local second = { frames = {} }
  second.receive = first.receive
  local a = emu.attach{ bus = "ws2812", model = first }
  local b = emu.attach{ bus = "ws2812", index = 1, model = second }
  ws2812.write(string.char(255, 0, 0))
  emu.eq(#first.frames, 0, "nothing before init routes the output")
  ws2812.init(ws2812.MODE_DUAL)
  ws2812.write(string.char(255, 0, 0, 0, 0, 255), "xyz")
  emu.same(first.frames, { string.char(255, 0, 0, 0, 0, 255) })
  emu.same(second.frames, { "xyz" })
  local buffer = ws2812.newBuffer(2, 3)
  buffer:fill(1, 2, 3)
  ws2812.write(buffer)
  emu.eq(first.frames[2], "\1\2\3\1\2\3")
  function first:receive() error("led on fire") end
  local ok, err = pcall(ws2812.write, "abc")
  emu.eq(ok, false)
  emu.contains(err, "led on fire")
  a:detach()
  b:detach()
end)
