-- args: --firmware=3
-- ws2812 at 3.0: its buffers are pixbufs (pixbuf.c); FADE_IN/FADE_OUT swapped values.
local emu = require "emu"

emu.test("newBuffer makes a pixbuf; write takes 3 or 4 channels", function()
  local b = ws2812.newBuffer(2, 3)
  emu.eq(b:channels(), 3)
  emu.eq(getmetatable(b), getmetatable(pixbuf.newBuffer(1, 3)))
  local h = emu.attach("ws2812=strip:2")
  ws2812.init()
  ws2812.write(b:fill(0, 255, 0))
  emu.eq(h:state().colors, "00ff00,00ff00")
  h:detach()
  emu.raises("bad argument #1 to '?' (Bad pixbuf format)", ws2812.write, pixbuf.newBuffer(1, 2))
  emu.raises("bad argument #1 to '?' (pixbuf or string expected)", ws2812.write, 1)
end)

emu.test("constants: FADE_IN 0, FADE_OUT 1", function()
  emu.eq(ws2812.FADE_IN, 0)
  emu.eq(ws2812.FADE_OUT, 1)
  emu.eq(pixbuf.FADE_OUT, 1)
  emu.eq(pixbuf.SHIFT_CIRCULAR, 1)
end)

emu.test("fill/set return the buffer; set checks extra values and whole LEDs", function()
  local b = pixbuf.newBuffer(2, 3)
  emu.eq(b:fill(1, 2, 3), b)
  emu.eq(b:set(1, 4, 5, 6), b)
  emu.raises("bad argument #1 to '?' (need as many values as colors per pixel)", b.fill, b, 1)
  emu.raises("bad argument #5 to '?' (extra values given)", b.set, b, 1, 1, 2, 3, 4)
  emu.raises("string does not contain whole LEDs", b.set, b, 1, "ab")
  -- -2^31 - 1 wraps in the chip's int (out of range), not an overflow on the host
  emu.raises("bad argument #2 to '?' (index out of range)", b.get, b, -2147483648)
  emu.raises("bad argument #2 to '?' (index out of range)", b.set, b, -2147483648, 1, 2, 3)
  emu.eq(tostring(b), "[(4,5,6),(1,2,3)]")
end)

emu.test("mix rounds; equality compares contents", function()
  local a = pixbuf.newBuffer(1, 1):fill(3)
  local out = pixbuf.newBuffer(1, 1)
  out:mix(128, a, 128, a)
  emu.eq(out:get(1), 3)
  out:mix(100, a)
  emu.eq(out:get(1), 1, "(300 + 128) / 256")
  emu.eq(pixbuf.newBuffer(2, 3) == pixbuf.newBuffer(2, 3), true)
  emu.eq(pixbuf.newBuffer(2, 3) == pixbuf.newBuffer(2, 4), false)
end)

emu.test("shift's checks", function()
  local b = pixbuf.newBuffer(4, 1)
  b:set(1, string.char(1, 2, 3, 4))
  b:shift(1, pixbuf.SHIFT_CIRCULAR)
  emu.eq(b:dump(), string.char(4, 1, 2, 3))
  emu.raises("bad argument #3 to '?' (invalid shift type)", b.shift, b, 1, 2)
  emu.raises("bad argument #2 to '?' (shifting more elements than buffer size)", b.shift, b, 5)
  for _, huge in ipairs({ 2 ^ 31, -2 ^ 31, 2 ^ 62, -2 ^ 63 }) do  -- no product that overflows
    emu.raises("bad argument #2 to '?' (shifting more elements than buffer size)", b.shift, b, huge)
  end
  emu.raises("bad argument #2 to '?' (shifting more than sliced window)", b.shift, b, 3, 0, 1, 2)
  emu.raises("bad argument #5 to '?' (end position must be >= start)", b.shift, b, 1, 0, 3, 2)
end)

emu.test("map calls f with each pixel's channels and stores what it returns", function()
  local b = pixbuf.newBuffer(2, 3):fill(1, 2, 3)
  b:map(function(g, r, bl) return bl, r, g end)
  emu.eq(tostring(b), "[(3,2,1),(3,2,1)]")
  emu.raises("bad argument #3 to '?' (Buffer limits out of order)", b.map, pixbuf.newBuffer(1, 3),
             function() end, b, 1, 1)
end)

emu.test("size limits", function()
  emu.raises("pixbuf size limits exeeded", pixbuf.newBuffer, 8193, 3)
  emu.raises("pixbuf size limits exeeded", pixbuf.newBuffer, 1, 33)
end)
