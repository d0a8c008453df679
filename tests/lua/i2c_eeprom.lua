-- args: --virtual-time
-- The AT24C32 model as a driver sees it: page writes with roll-over, the write cycle's ACK
-- polling, random and sequential reads from the address pointer.
local emu = require "emu"

i2c.setup(0, 1, 2, i2c.SLOW)
local ADDR = 0x50

local function write(at, data)
  i2c.start(0)
  local ack = i2c.address(0, ADDR, i2c.TRANSMITTER)
  if ack then i2c.write(0, bit.rshift(at, 8), bit.band(at, 0xff), data) end
  i2c.stop(0)
  return ack
end

local function read(at, n)
  i2c.start(0)
  i2c.address(0, ADDR, i2c.TRANSMITTER)
  i2c.write(0, bit.rshift(at, 8), bit.band(at, 0xff))
  i2c.start(0)
  i2c.address(0, ADDR, i2c.RECEIVER)
  local data = i2c.read(0, n)
  i2c.stop(0)
  return data
end

-- Waits for the write cycle the way drivers do: poll until the address is acknowledged.
local function wait_ready(callback)
  tmr.create():alarm(1, tmr.ALARM_AUTO, function(t)
    i2c.start(0)
    local ack = i2c.address(0, ADDR, i2c.TRANSMITTER)
    i2c.stop(0)
    if ack then
      t:unregister()
      callback()
    end
  end)
end

emu.async("a page write programs at the stop; the chip NACKs until the cycle is over", function(done)
  local rom = emu.attach("i2c:0x50=at24c32")
  emu.eq(read(0x100, 4), "\255\255\255\255", "erased")
  emu.truthy(write(0x100, "hello"))
  emu.eq(rom:state().busy, true)
  emu.eq(write(0x100, "x"), false, "busy: no ACK")
  local t0 = emu.clock()
  wait_ready(function()
    emu.check(function()
      local waited = emu.clock() - t0
      emu.truthy(waited >= 0.009 and waited <= 0.012, "about 10 ms, got " .. waited)
      emu.eq(read(0x100, 5), "hello")
      emu.eq(rom:state().memory:sub(0x101, 0x105), "hello")
      emu.eq(rom:state().write_cycles, 1)
      rom:detach()
    end)
    done()
  end)
end)

emu.async("data past the end of a 32-byte page wraps to its start", function(done)
  local rom = emu.attach("i2c:0x50=at24c32,twr_ms=5")
  write(0x3E, "ABCD")  -- 0x3E, 0x3F, then 0x20, 0x21
  wait_ready(function()
    emu.check(function()
      emu.eq(read(0x3E, 2), "AB")
      emu.eq(read(0x20, 2), "CD")
      emu.eq(read(0x40, 1), "\255")
      rom:detach()
    end)
    done()
  end)
end)

emu.test("reads continue from the pointer and roll over at the end of the memory", function()
  local rom = emu.attach("i2c:0x50=at24c32,twr_ms=0")
  write(0xFFF, "z")
  write(0x000, "a")
  emu.eq(read(0xFFF, 2), "za")
  -- a current-address read: no address bytes, the pointer is where the last read left it
  i2c.start(0)
  i2c.address(0, ADDR, i2c.RECEIVER)
  emu.eq(i2c.read(0, 1), "\255")
  i2c.stop(0)
  emu.eq(rom:state().pointer, 2)
  rom:detach()
end)

emu.test("data not ended by a stop is not programmed; options are checked", function()
  local rom = emu.attach("i2c:0x50=at24c32,twr_ms=0")
  i2c.start(0)
  i2c.address(0, ADDR, i2c.TRANSMITTER)
  i2c.write(0, 0, 0, "lost")
  i2c.start(0)  -- a repeated start instead of a stop
  i2c.stop(0)
  emu.eq(rom:state().write_cycles, 0)
  emu.eq(read(0, 4), "\255\255\255\255")
  rom:detach()
  emu.raises("at24c32: twr_ms needs a number of milliseconds", function() emu.attach("i2c:0x50=at24c32,twr_ms=x") end)
end)
