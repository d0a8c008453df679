-- spi (app/modules/spi.c): argument checks and texts per profile, an empty bus (MISO floats
-- high), and a model written in Lua behind a gpio chip-select or the hardware CS.
local emu = require "emu"

emu.test("constants and setup's answer", function()
  emu.eq(spi.MASTER, 1)
  emu.eq(spi.SLAVE, 0)
  emu.eq(spi.DATABITS_8, 8)
  emu.eq(spi.FULLDUPLEX, 1)
  emu.eq(spi.setup(1, spi.MASTER, spi.CPOL_LOW, spi.CPHA_LOW, 8, 8), 1)
end)

emu.test("setup checks its arguments in the firmware's order", function()
  emu.raises("spi 2 does not exist", function() spi.setup(2, 1, 0, 0, 8, 8) end)
  emu.raises("bad argument #6 to 'setup' (number expected, got no value)", function() spi.setup(2, 1, 0, 0, 8) end)
  emu.raises("wrong arg type", function() spi.setup(1, 2, 0, 0, 8, 8) end)
  emu.raises("wrong arg type", function() spi.setup(1, 1, 2, 0, 8, 8) end)
  emu.raises("wrong arg type", function() spi.setup(1, 1, 0, 2, 8, 8) end)
  emu.raises("out of range", function() spi.setup(1, 1, 0, 0, 33, 8) end)
  emu.raises("out of range", function() spi.setup(1, 1, 0, 0, 8, 8, 2) end)
end)

emu.test("an empty bus: sends count, reads are all ones", function()
  spi.setup(1, spi.MASTER, spi.CPOL_LOW, spi.CPHA_LOW, 8, 8, spi.FULLDUPLEX)
  local wrote, n, t, s = spi.send(1, 0x9f, { 1, 2 }, "ab")
  emu.eq(wrote, 5)
  emu.eq(n, 0xff)
  emu.same(t, { 0xff, 0xff })
  emu.eq(s, "\255\255")
  emu.eq(spi.recv(1, 2), "\255\255")
  spi.setup(1, spi.MASTER, spi.CPOL_LOW, spi.CPHA_LOW, 8, 8)
  emu.eq(select("#", spi.send(1, 1, 2)), 1, "half duplex returns only the count")
  emu.raises("wrong arg type", function() spi.send(1) end)
end)

emu.test("the buffer: set_mosi/get_miso by bits and as a string; their checks", function()
  spi.set_mosi(1, 0, 8, 0x12, 0x34)
  emu.same({ spi.get_miso(1, 0, 16, 1) }, { 0x1234 })
  spi.set_mosi(1, "hello")
  emu.eq(spi.get_miso(1, 5), "hello")
  -- a negative count: the firmware returns it as the result count (undefined); here nothing
  emu.eq(select("#", spi.get_miso(1, 8, 8, -636537)), 0)
  emu.eq(select("#", spi.get_miso(1, 8, 8, 0)), 0)
  emu.raises("bad argument #2 to 'set_mosi' (out of range)", function() spi.set_mosi(1, 512, 8, 1) end)
  emu.raises("bad argument #3 to 'set_mosi' (out of range)", function() spi.set_mosi(1, 0, 33, 1) end)
  emu.raises("data range exceeded > 512 bits", function() spi.set_mosi(1, 504, 8, 1, 2) end)
  emu.raises("bad argument #2 to 'set_mosi' (out of range)", function() spi.set_mosi(1, string.rep("x", 65)) end)
  emu.raises("bad argument #2 to 'get_miso' (out of range)", function() spi.get_miso(1, 65) end)
  emu.raises("out of range", function() spi.get_miso(1, 500, 8, 2) end)
  emu.raises("bad argument #8 to 'transaction' (out of range)", function() spi.transaction(1, 0, 0, 0, 0, 0, 0, 513) end)
  emu.raises("bad argument #2 to 'transaction' (out of range)", function() spi.transaction(1, 17, 0, 0, 0, 0, 0, 0) end)
  emu.eq(spi.set_clock_div(1, 4), 8)
  emu.eq(spi.set_clock_div(1, 16), 4)
end)

-- A 25xx-style serial memory written in Lua: 0x02 ADDR16 DATA... writes, 0x03 ADDR16 reads.
local function serial_memory()
  local chip = { mem = {}, bytes = 0 }
  function chip:select(on) self.phase, self.n = on and "cmd" or nil, 0 end
  function chip:transfer(b)
    self.bytes = self.bytes + 1
    self.n = self.n + 1
    if self.phase == "cmd" then
      self.cmd, self.phase, self.addr = b, "addr", 0
    elseif self.phase == "addr" then
      self.addr = self.addr * 256 + b
      if self.n == 3 then self.phase = "data" end
    elseif self.phase == "data" then
      local a = self.addr
      self.addr = a + 1
      if self.cmd == 0x02 then self.mem[a] = b else return self.mem[a] or 0xff end
    end
    return 0xff
  end
  return chip
end

emu.test("a Lua model behind a gpio chip-select sees one transaction per CS low", function()
  local chip = serial_memory()
  local h = emu.attach{ bus = "spi", address = 2, model = chip }
  emu.eq(h.at, "spi:2")
  spi.setup(1, spi.MASTER, spi.CPOL_LOW, spi.CPHA_LOW, 8, 8)
  gpio.mode(2, gpio.OUTPUT)
  gpio.write(2, gpio.HIGH)
  spi.send(1, 0x02, 0x00, 0x10)     -- not selected: the chip sees nothing
  emu.eq(chip.bytes, 0)
  gpio.write(2, gpio.LOW)
  spi.send(1, 0x02, { 0x00, 0x10 }, "abc")
  gpio.write(2, gpio.HIGH)
  gpio.write(2, gpio.LOW)
  spi.send(1, 0x03, 0x00, 0x10)
  emu.eq(spi.recv(1, 3), "abc")
  gpio.write(2, gpio.HIGH)
  h:detach()
end)

emu.test("on the hardware CS each transaction is one selection", function()
  local chip = serial_memory()
  local h = emu.attach{ bus = "spi", model = chip }
  chip.mem[0x20], chip.mem[0x21] = 0x41, 0x42
  spi.transaction(1, 8, 0x03, 16, 0x0020, 0, 0, 16)
  emu.same({ spi.get_miso(1, 0, 8, 2) }, { 0x41, 0x42 })
  h:detach()
end)

emu.test("1.5.4.1 words its buffer and transaction checks itself and has no set_clock_div", function()
  local out, err, status = emu.run{ args = { "--firmware=1" }, script = [[
    print(spi.set_clock_div)
    print(pcall(spi.set_mosi, 1, 600, 8, 1))
    print(pcall(spi.set_mosi, 1, 0, 8))
    print(pcall(spi.get_miso, 1, 0, 40, 1))
    print(pcall(spi.transaction, 1, 0, 0, 40, 0, 0, 0, 0))]] }
  emu.eq(status, 0, err)
  emu.eq(out, "nil\nfalse\toffset out of range\nfalse\ttoo few args\nfalse\tbitlen out of range\n" ..
    "false\taddr_bitlen out of range\n")
end)
