-- sjson.encode / sjson.encoder as app/modules/sjson.c does them (spec/others.md "sjson").
local emu = require "emu"

local function nest(levels)
  local t = {}
  for _ = 2, levels do t = { t } end
  return t
end

emu.test("an empty table encodes as an empty array", function()
  emu.eq(sjson.encode({}), "[]")
end)

emu.test("keys 1..n make an array", function()
  emu.eq(sjson.encode({ 1, 2, 3 }), "[1,2,3]")
  emu.eq(sjson.encode({ "a", true, false }), '["a",true,false]')
end)

emu.test("holes in an array become null up to the largest key", function()
  emu.eq(sjson.encode({ [1] = 1, [3] = 3 }), "[1,null,3]")
  emu.eq(sjson.encode({ [4] = "x" }), '[null,null,null,"x"]')
end)

emu.test("a non-number or non-positive key makes an object", function()
  emu.eq(sjson.encode({ a = 1 }), '{"a":1}')
  emu.eq(sjson.encode({ [0] = "z" }), '{"0":"z"}')
  emu.eq(sjson.encode({ [-1] = "z" }), '{"-1":"z"}')
  emu.eq(sjson.encode({ ["1"] = "s" }), '{"1":"s"}')
  local mixed = sjson.decode(sjson.encode({ 10, 20, x = "y" }))
  emu.same(mixed, { ["1"] = 10, ["2"] = 20, x = "y" })
end)

emu.test("a fractional key counts as its integer part (lua_tointeger)", function()
  emu.eq(sjson.encode({ [1] = "a", [2.5] = "b" }), '["a",null]')
end)

emu.test("a largest key over 32767 wraps like the firmware's short", function()
  local t = { [40000] = 1 }
  local decoded = sjson.decode(sjson.encode(t))
  emu.same(decoded, { ["40000"] = 1 }, "40000 wraps negative: an object")
end)

emu.test("numbers use %.19g; inf and nan become null", function()
  emu.eq(sjson.encode({ 3 }), "[3]")
  emu.eq(sjson.encode({ -7 }), "[-7]")
  emu.eq(sjson.encode({ 0.1 }), "[0.1000000000000000056]")
  emu.eq(sjson.encode({ 1e300 }), "[1.000000000000000053e+300]")
  emu.eq(sjson.encode({ 1 / 0, -1 / 0, 0 / 0 }), "[null,null,null]")
end)

emu.test("strings escape control characters and quotes only", function()
  emu.eq(sjson.encode({ 'say "hi"' }), '["say \\"hi\\""]')
  emu.eq(sjson.encode({ "a\nb\tc\rd\be\ff" }), '["a\\nb\\tc\\rd\\be\\ff"]')
  emu.eq(sjson.encode({ "\1\31" }), '["\\u0001\\u001f"]')
  emu.eq(sjson.encode({ "a/b" }), '["a/b"]')
  emu.eq(sjson.encode({ "\195\169" }), '["\195\169"]', "UTF-8 passes through")
end)

emu.test("a backslash goes out unescaped, as on the device", function()
  emu.eq(sjson.encode({ "a\\b" }), '["a\\b"]')
end)

emu.test("sjson.NULL and any light userdata encode as null", function()
  emu.eq(sjson.encode({ sjson.NULL, 1 }), "[null,1]")
  emu.eq(sjson.encode({ a = sjson.NULL }), '{"a":null}')
end)

emu.test("opts.null names the string that encodes as null", function()
  emu.eq(sjson.encode({ "\0", "x" }, { null = "\0" }), "[null,\"x\"]")
  emu.eq(sjson.encode({ "N" }, { null = "N" }), "[null]")
  emu.eq(sjson.encode({ "N" }), '["N"]', "without the option it is a string")
end)

emu.test("nested tables encode recursively", function()
  emu.eq(sjson.encode({ a = { b = { 1, { c = "d" } } } }), '{"a":{"b":[1,{"c":"d"}]}}')
end)

emu.test("20 nested tables encode, 21 raise 'encoder stack overflow'", function()
  emu.eq(#sjson.encode(nest(20)), 40)
  emu.raises("encoder stack overflow", function() return sjson.encode(nest(21)) end)
end)

emu.test("opts.depth does not change the limit (the firmware reads the wrong slot)", function()
  emu.raises("encoder stack overflow", function() return sjson.encode(nest(21), { depth = 50 }) end)
  emu.eq(#sjson.encode(nest(20), { depth = 4 }), 40)
end)

emu.test("a function value is called and its result encoded", function()
  emu.eq(sjson.encode({ a = function() return 5 end }), '{"a":5}')
  emu.eq(sjson.encode({ function() return { 1, 2 } end }), "[[1,2]]")
  local f = function() return "x" end
  for _ = 1, 9 do local g = f; f = function() return g end end
  emu.eq(sjson.encode({ f }), '["x"]', "10 calls in a row")
end)

emu.test("a function still left after 10 calls raises 'Cannot encode type 6'", function()
  local f = function() return "x" end
  for _ = 1, 10 do local g = f; f = function() return g end end
  emu.raises("Cannot encode type 6", function() return sjson.encode({ f }) end)
end)

emu.test("userdata and threads raise 'Cannot encode type N'", function()
  emu.raises("Cannot encode type 7", function() return sjson.encode({ newproxy() }) end)
  emu.raises("Cannot encode type 8", function() return sjson.encode({ coroutine.create(function() end) }) end)
end)

emu.test("keys: numbers are quoted, booleans are not (invalid JSON, as on the device)", function()
  emu.eq(sjson.encode({ [true] = 1 }), "{true:1}")
  emu.raises("Cannot encode type 5", function() return sjson.encode({ [{}] = 1 }) end)
end)

emu.test("the value to encode must be a table", function()
  emu.raises("bad argument #1 to 'encode' (table expected, got string)", function() return sjson.encode("x") end)
  emu.raises("bad argument #1 to 'encode' (table expected, got no value)", function() return sjson.encode() end)
  emu.raises("bad argument #1 to 'encoder' (table expected, got number)", function() return sjson.encoder(1) end)
end)

emu.test("encoder:read returns chunks of the given size, then nil", function()
  local e = sjson.encoder({ 1, 2, 3, { a = "b" } })
  local parts = {}
  while true do
    local chunk = e:read(3)
    if not chunk then break end
    parts[#parts + 1] = chunk
  end
  emu.same(parts, { "[1,", "2,3", ',{"', 'a":', '"b"', "}]" })
  emu.eq(select("#", e:read()), 0, "no value once done")
end)

emu.test("encoder:read defaults to 1024 bytes; sizes below 1 read 1", function()
  local e = sjson.encoder({ string.rep("x", 2000) })
  emu.eq(#e:read(), 1024)
  emu.eq(#e:read(0), 1)
  emu.eq(#e:read(-5), 1)
  emu.eq(#e:read(5000), 2004 - 1026)
  emu.eq(e:read(), nil)
end)

emu.test("the encoder calls function values when it first reads", function()
  local called = 0
  local e = sjson.encoder({ function() called = called + 1 return called end })
  emu.eq(called, 0)
  emu.eq(e:read(1), "[")
  emu.eq(called, 1)
  emu.eq(e:read(), "1]")
end)

emu.test("sjson.encode returns at most 1000000 bytes", function()
  local out = sjson.encode({ string.rep("x", 1000010) })
  emu.eq(#out, 1000000)
end)

emu.test("an object round-trips through decode", function()
  local t = { name = "dev", n = 42, ok = true, list = { 1, 2, 3 }, sub = { k = "v" } }
  emu.same(sjson.decode(sjson.encode(t)), t)
end)
