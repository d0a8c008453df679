-- args: --firmware=1
-- cjson under the 1.5.4.1 profile (cjson.c@1.5.4.1-master_20161201, lua-cjson 2.1devel):
-- encode/decode with lua-cjson's rules and texts; sjson does not exist yet.
local emu = require "emu"

emu.test("encode: arrays, objects, escapes, %.14g numbers", function()
  emu.eq(cjson.encode({ 1, 2, 3 }), "[1,2,3]")
  emu.eq(cjson.encode({ a = "x/y" }), '{"a":"x\\/y"}', "the slash is escaped")
  emu.eq(cjson.encode({}), "{}", "an empty table is an object")
  emu.eq(cjson.encode("a\1\127\n"), '"a\\u0001\\u007f\\n"')
  emu.eq(cjson.encode(1 / 3), "0.33333333333333")
  emu.eq(cjson.encode({ [2] = true }), "[null,true]", "holes up to the ratio are null")
  emu.eq(cjson.encode(cjson.decode("null")), "null", "decode's null encodes as null")
end)

emu.test("encode refuses what lua-cjson refuses, with its texts", function()
  emu.raises("Cannot serialise table: excessively sparse array", cjson.encode, { [1] = 1, [20] = 2 })
  emu.raises("Cannot serialise function: type not supported", cjson.encode, print)
  emu.raises("Cannot serialise boolean: table key must be a number or string", cjson.encode, { [true] = 1 })
  emu.raises("Cannot serialise number: must not be NaN or Infinity", cjson.encode, 1 / 0)
  emu.raises("bad argument #1 to 'encode' (expected 1 argument)", function() cjson.encode() end)
  local deep = {}
  for _ = 1, 1000 do deep = { deep } end
  emu.raises("Cannot serialise, excessive nesting (1001)", cjson.encode, deep)
end)

emu.test("decode: values, null as a NULL light userdata, \\u escapes as UTF-8", function()
  local t = cjson.decode('{"a":[1,2.5,{"b":null}],"s":"\\u00e9\\ud83d\\ude00\\n","t":true}')
  emu.eq(t.a[2], 2.5)
  emu.eq(type(t.a[3].b), "userdata")
  emu.eq(t.s, "\195\169\240\159\152\128\n")
  emu.eq(t.t, true)
  emu.eq(cjson.decode("0x10"), 16, "invalid numbers are read (decode_invalid_numbers is on)")
end)

emu.test("decode errors name the expected and the found token, 1-based", function()
  emu.raises("Expected value but found T_END at character 1", cjson.decode, "")
  emu.raises("Expected value but found T_END at character 4", cjson.decode, "[1,")
  emu.raises("Expected colon but found T_NUMBER at character 6", cjson.decode, '{"a" 1}')
  emu.raises("Expected comma or array end but found T_NUMBER at character 4", cjson.decode, "[1 2]")
  emu.raises("Expected object key string but found T_NUMBER at character 2", cjson.decode, "{1:2}")
  emu.raises("Expected value but found invalid token at character 1", cjson.decode, "x")
  emu.raises("Expected value but found unexpected end of string at character 5", cjson.decode, '"abc')
  emu.raises("Expected value but found invalid escape code at character 2", cjson.decode, '"\\q"')
  emu.raises("Expected the end but found invalid token at character 4", cjson.decode, "[1]x")
  emu.raises("JSON parser does not support UTF-16 or UTF-32", cjson.decode, "[\0")
  emu.raises("Found too many nested data structures (1001) at character 1001", cjson.decode, ("["):rep(1001))
end)

emu.test("sjson came later: absent under --firmware=1", function()
  emu.eq(sjson, nil)
end)
