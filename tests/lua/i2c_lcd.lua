-- args: --fs fixtures/firmware/liquidcrystal
-- The firmware's own LCD driver (lua_modules/liquidcrystal, i2c 4-bit backend) runs unchanged
-- against a PCF8574 model; the test decodes the HD44780 nibbles it clocked through the port.
local emu = require "emu"

-- Bytes the HD44780 latched: a nibble on each falling edge of EN (bit 2), D4..D7 on bits 4..7,
-- RS on bit 0; two nibbles (high first) make a byte after the 4 single-nibble init steps.
local function decode(writes)
  local nibbles, prev = {}, 0
  for i = 1, #writes do
    local b = writes:byte(i)
    if bit.isset(prev, 2) and not bit.isset(b, 2) then
      nibbles[#nibbles + 1] = { rs = b % 2, v = bit.rshift(b, 4) }
    end
    prev = b
  end
  local out = {}
  for i = 5, #nibbles - 1, 2 do
    local rs = nibbles[i].rs == 1 and "d" or "c"
    out[#out + 1] = string.format("%s%02x", rs, nibbles[i].v * 16 + nibbles[i + 1].v)
  end
  return table.concat(out, " ")
end

emu.test("liquidcrystal over lc-i2c4bit: init commands, then the text as data", function()
  local port = emu.attach("i2c:0x27=pcf8574")
  local backend = require("lc-i2c4bit")({ sda = 1, scl = 2 })
  local lcd = require("liquidcrystal")(backend, false, true, 16)
  lcd:write("Hi")
  -- function set (4-bit, 2 lines, 5x8), entry mode, display on, clear; then 'H' 'i'
  emu.eq(decode(port:state().writes), "c28 c04 c0c c01 d48 d69")
  emu.eq(bit.isset(port:state().latch, 3), true, "backlight on")
  port:detach()
end)
