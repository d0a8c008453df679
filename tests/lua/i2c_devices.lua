-- i2c with models on the board: what a driver sees of the PCF8574 and of models written in Lua,
-- the trace of bus transactions, and errors inside a Lua model.
local emu = require "emu"

i2c.setup(0, 1, 2, i2c.SLOW)

local function write(addr, ...)
  i2c.start(0)
  local ack = i2c.address(0, addr, i2c.TRANSMITTER)
  local n = i2c.write(0, ...)
  i2c.stop(0)
  return ack, n
end

local function read(addr, n)
  i2c.start(0)
  local ack = i2c.address(0, addr, i2c.RECEIVER)
  local data = i2c.read(0, n)
  i2c.stop(0)
  return ack, data
end

emu.test("a PCF8574 latches what is written and reads its pins", function()
  local port = emu.attach("i2c:0x20=pcf8574")
  emu.eq(select(2, read(0x20, 1)), "\255")
  emu.same({ write(0x20, 0xF0) }, { true, 1 })
  emu.eq(port:state().latch, 0xF0)
  port:set("pins", 0x3C)  -- something outside pulls pins 0, 1, 6 and 7 low
  emu.eq(select(2, read(0x20, 1)):byte(), 0x30)
  emu.eq(port:state().writes, "\240")
  port:detach()
end)

emu.test("another address still finds nobody", function()
  local port = emu.attach("i2c:0x20=pcf8574")
  emu.same({ write(0x21, 1) }, { false, 0 })
  port:detach()
end)

emu.test("under 2.2.1 a direction of 2 ORs into the address byte (0x20 becomes 0x21)", function()
  local port = emu.attach("i2c:0x21=pcf8574")
  i2c.start(0)
  emu.eq(i2c.address(0, 0x20, 2), true)
  i2c.stop(0)
  port:detach()
end)

emu.test("a Lua model sees start, every byte and stop; a NACK ends the write", function()
  local log = {}
  local chip = {
    start = function(_, reading) log[#log + 1] = "start " .. reading return true end,
    write = function(_, b) log[#log + 1] = "w" .. b return b ~= 3 end,
    read = function(_, ack) log[#log + 1] = "r" .. ack return 0x41 + #log end,
    stop = function() log[#log + 1] = "stop" end,
  }
  local h = emu.attach{ bus = "i2c", address = 0x30, model = chip }
  emu.same({ write(0x30, 1, { 2, 3, 4 }, "x") }, { true, 2 })
  emu.same({ read(0x30, 2) }, { true, "HI" })
  emu.same(log, { "start 0", "w1", "w2", "w3", "stop", "start 1", "r1", "r0", "stop" })
  h:detach()
end)

emu.test("a model that refuses its address is not acknowledged", function()
  local h = emu.attach{ bus = "i2c", address = 0x31, model = { start = function() return false end } }
  emu.same({ write(0x31, 1) }, { false, 0 })
  h:detach()
end)

emu.test("an error in a Lua model is raised by the i2c call that ran it", function()
  local h = emu.attach{ bus = "i2c", address = 0x32, model = { write = function() error("chip on fire") end } }
  i2c.start(0)
  i2c.address(0, 0x32, i2c.TRANSMITTER)
  local ok, err = pcall(i2c.write, 0, 1)
  i2c.stop(0)
  emu.eq(ok, false)
  emu.contains(err, "chip on fire")
  h:detach()
end)

emu.test("without i2c.setup no device answers (the pins are not driven)", function()
  local out, err, status = emu.run{ args = { "--attach", "i2c:0x20=pcf8574" }, script = [[
    print(i2c.address(0, 0x20, 0)) i2c.setup(0, 1, 2, i2c.SLOW) print(i2c.address(0, 0x20, 0))]] }
  emu.eq(status, 0, err)
  emu.eq(out, "false\ntrue\n")
end)

emu.test("--trace shows each bus transaction", function()
  local out, err, status = emu.run{ args = { "--trace", "--attach", "i2c:0x20=pcf8574" }, script = [[
    i2c.setup(0, 1, 2, i2c.SLOW) i2c.start(0) i2c.address(0, 0x20, 0) i2c.write(0, 0xAA, 0x55)
    i2c.stop(0) i2c.start(0) i2c.address(0, 0x27, 1) i2c.read(0, 2) i2c.stop(0)]] }
  emu.eq(status, 0, err)
  emu.contains(err, "board attach at=i2c:0x20=pcf8574")
  emu.contains(err, "i2c0 address ack peer=0x20 data=40")
  emu.contains(err, "i2c0 write peer=0x20 data=aa 55 acked=2")
  emu.contains(err, "i2c0 address nack peer=none data=4f")
  emu.contains(err, "i2c0 read peer=none data=ff ff")
end)
