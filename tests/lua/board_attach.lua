-- The simulated-device framework: emu.attach wires models from a test, --attach from the
-- command line; a handle reads the model's state and sets or scripts its readings on the Clock.
-- args: --virtual-time
local emu = require "emu"

emu.test("emu.attach wires a model by spec and names its place and kind", function()
  local port = emu.attach("i2c:0x21=pcf8574")
  emu.eq(port.at, "i2c:0x21")
  emu.eq(port.kind, "pcf8574")
  emu.eq(port:state().latch, 0xff)
  emu.eq(port:state().pins, 0xff)
  emu.truthy(port:detach())
  emu.eq(port:detach(), false)
  emu.raises("device is not attached (detached, or gone with a reboot)", function() port:state() end)
end)

emu.test("the table form takes the place, the kind and options", function()
  local port = emu.attach{ bus = "i2c", address = 0x22, model = "pcf8574", pins = 0x0f }
  emu.eq(port.at, "i2c:0x22")
  emu.eq(port:state().pins, 0x0f)
  port:detach()
end)

emu.test("a place holds one model; errors name the problem", function()
  local port = emu.attach("i2c:0x23=pcf8574")
  emu.raises("a pcf8574 is already attached at i2c:0x23", function() emu.attach("i2c:0x23=pcf8574") end)
  local ok, err = pcall(emu.attach, "i2c:0x24=nosuch")
  emu.eq(ok, false)
  emu.contains(err, "unknown model 'nosuch' (")
  emu.contains(err, "pcf8574 (i2c)")  -- the message lists every kind
  emu.raises("pcf8574: unknown option 'colour' for pcf8574",
    function() emu.attach("i2c:0x24=pcf8574", { colour = "red" }) end)
  port:detach()
end)

emu.test("set changes a reading; an unknown one is an error", function()
  local port = emu.attach("i2c:0x25=pcf8574")
  port:set("pins", 0x80)
  emu.eq(port:state().pins, 0x80)
  port:set{ pins = 1 }
  emu.eq(port:state().pins, 1)
  emu.raises("unknown option 'volume' for pcf8574", function() port:set("volume", 3) end)
  port:detach()
end)

emu.async("a scripted reading moves with virtual time", function(done)
  local port = emu.attach("i2c:0x26=pcf8574")
  port:script("pins", { { 0, 0 }, { 10, 100 } })
  emu.eq(port:state().pins, 0)
  local t0 = emu.clock()
  tmr.create():alarm(5000, tmr.ALARM_SINGLE, function()
    emu.check(function()
      emu.eq(emu.clock() - t0, 5)
      emu.eq(port:state().pins, 50)
      port:script("pins", { { 0, 1 }, { 1, 2 } }, "step")
      emu.eq(port:state().pins, 1)
      emu.raises("bad argument #3 to 'script' (no keyframes)", function() port:script("pins", {}) end)
      emu.raises("pcf8574 has no reading 'volume'", function() port:script("volume", { { 0, 1 } }) end)
      port:detach()
    end)
    done()
  end)
end)

emu.test("a model written in Lua is a table; state() returns it", function()
  local chip = { written = {} }
  function chip:write(b) self.written[#self.written + 1] = b return true end
  local h = emu.attach{ bus = "i2c", address = 0x30, model = chip }
  emu.eq(h.kind, "lua")
  emu.eq(h.at, "i2c:0x30")
  emu.truthy(h:state() == chip)
  h:detach()
end)

emu.test("--attach wires a model before the script runs; bad specs are usage errors", function()
  local out, err, status = emu.run{ args = { "--attach", "i2c:0x20=pcf8574,pins=7" },
    script = "local e = require 'emu' print(e.attach('i2c:0x21=pcf8574').at)" }
  emu.eq(status, 0, err)
  emu.eq(out, "i2c:0x21\n")
  out, err, status = emu.run{ args = { "--attach", "i2c:0x20=nosuch" }, script = "print(1)" }
  emu.truthy(status ~= 0)
  emu.contains(err, "unknown model 'nosuch'")
  out, err, status = emu.run{ args = { "--attach", "i2c:0x20=pcf8574,volume=3" }, script = "print(1)" }
  emu.eq(status, 2)
  emu.contains(err, "--attach 'i2c:0x20=pcf8574,volume=3': pcf8574: unknown option 'volume' for pcf8574")
end)
