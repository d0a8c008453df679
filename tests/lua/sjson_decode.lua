-- sjson.decode / sjson.decoder as app/modules/sjson.c (with jsonsl) does them.
local emu = require "emu"

local function nested(depth, inner)
  return string.rep("[", depth) .. inner .. string.rep("]", depth)
end

emu.test("decode builds tables from objects and arrays", function()
  emu.same(sjson.decode('{"a":[1,2,{"b":"c"}],"d":true,"e":false}'),
    { a = { 1, 2, { b = "c" } }, d = true, e = false })
  emu.same(sjson.decode("[]"), {})
  emu.same(sjson.decode("{}"), {})
end)

emu.test("numbers convert with lua_tonumber", function()
  emu.same(sjson.decode("[0, -3, 2.5, 1e3, -1.25E-2, 12345678901234]"),
    { 0, -3, 2.5, 1000, -0.0125, 12345678901234 })
end)

emu.test("string escapes decode, \\u to UTF-8", function()
  local t = sjson.decode('["a\\"b", "back\\\\slash", "\\/", "\\n\\t\\r\\b\\f", "\\u00e9\\u20ac", "\\u0000"]')
  emu.same(t, { 'a"b', "back\\slash", "/", "\n\t\r\b\f", "\195\169\226\130\172", "\0" })
end)

emu.test("null decodes to sjson.NULL, a light userdata", function()
  local t = sjson.decode('{"a":null,"b":[null,1]}')
  emu.eq(t.a, sjson.NULL)
  emu.eq(type(sjson.NULL), "userdata")
  emu.eq(t.b[1], sjson.NULL)
  emu.eq(t.b[2], 1)
end)

emu.test("with an options table null is opts.null, dropped when absent", function()
  local t = sjson.decode('{"a":null,"b":[null,2]}', {})
  emu.eq(t.a, nil)
  emu.eq(t.b[1], nil)
  emu.eq(t.b[2], 2, "the array index still counts the null")
  emu.same(sjson.decode('[null]', { null = "\0" }), { "\0" })
end)

emu.test("a scalar alone is not a complete document", function()
  emu.raises("Incomplete JSON object passed to sjson.decode", function() return sjson.decode("5") end)
  emu.raises("Incomplete JSON object passed to sjson.decode", function() return sjson.decode("true") end)
  emu.raises("JSON parse error: STRING_OUTSIDE_CONTAINER", function() return sjson.decode('"text"') end)
  emu.raises("JSON parse error: CANT_INSERT", function() return sjson.decode("1 2") end)
end)

emu.test("an empty or cut document raises the incomplete error", function()
  emu.raises("Incomplete JSON object passed to sjson.decode", function() return sjson.decode("") end)
  emu.raises("Incomplete JSON object passed to sjson.decode", function() return sjson.decode('{"a":[1,2') end)
  emu.raises("Incomplete JSON object passed to sjson.decode", function() return sjson.decode('["abc') end)
end)

emu.test("bad JSON raises 'JSON parse error: ' with jsonsl's error name", function()
  emu.raises("JSON parse error: TRAILING_COMMA", function() return sjson.decode("[1,2,]") end)
  emu.raises("JSON parse error: BRACKET_MISMATCH", function() return sjson.decode("[1}") end)
  emu.raises("JSON parse error: VALUE_EXPECTED", function() return sjson.decode('{"a":}') end)
  emu.raises("JSON parse error: MISSING_TOKEN", function() return sjson.decode('{"a" "b"}') end)
  emu.raises("JSON parse error: HKEY_EXPECTED", function() return sjson.decode("{1:2}") end)
  emu.raises("JSON parse error: SPECIAL_EXPECTED", function() return sjson.decode("[nope]") end)
  emu.raises("JSON parse error: WEIRD_WHITESPACE", function() return sjson.decode('["a\nb"]') end)
  emu.raises("JSON parse error: ESCAPE_INVALID", function() return sjson.decode('["\\q"]') end)
end)

emu.test("text after the document is ignored", function()
  emu.same(sjson.decode('{"a":1} and more'), { a = 1 })
end)

emu.test("nesting is limited to jsonsl's 20 levels; opts.depth does not change it", function()
  emu.eq(type(sjson.decode(nested(19, ""))), "table")
  emu.raises("JSON parse error: LEVELS_EXCEEDED", function() return sjson.decode(nested(20, "")) end)
  emu.raises("JSON parse error: LEVELS_EXCEEDED", function() return sjson.decode(nested(19, "1")) end)
  emu.raises("JSON parse error: LEVELS_EXCEEDED",
    function() return sjson.decode(nested(20, ""), { depth = 100 }) end)
end)

emu.test("decode's argument must be a string", function()
  -- With no argument the firmware checks slot 1 after pushing its decoder there: "got userdata".
  emu.raises("bad argument #1 to 'decode' (string expected, got userdata)", function() return sjson.decode() end)
  emu.raises("bad argument #1 to 'decode' (string expected, got table)", function() return sjson.decode({}) end)
end)

emu.test("opts.metatable is set on every new table and sees every insertion", function()
  local seen = {}
  local mt = {}
  mt.__newindex = function(t, k, v)
    seen[#seen + 1] = tostring(k) .. "=" .. (type(v) == "table" and "table" or tostring(v))
    rawset(t, k, v)
  end
  local t = sjson.decode('[1, 2, {"foo":"bar"}]', { metatable = mt })
  emu.eq(getmetatable(t), mt)
  emu.eq(getmetatable(t[3]), mt)
  emu.same(seen, { "1=1", "2=2", "3=table", "foo=bar" })
end)

emu.test("checkpath is called with each new table and its path from the root", function()
  local calls = {}
  local mt = {
    checkpath = function(t, path)
      local copy = {}
      for i, k in ipairs(path) do copy[i] = k end
      calls[#calls + 1] = copy
      return true
    end,
  }
  sjson.decode('{ "foo": [1, 2, []] }', { metatable = mt })
  emu.same(calls, { {}, { "foo" }, { "foo", 3 } })
end)

emu.test("a table checkpath refuses is left out of the result", function()
  local mt = { checkpath = function(_, path) return path[1] ~= "skip" end }
  local t = sjson.decode('{"keep":{"a":1},"skip":{"b":2}}', { metatable = mt })
  emu.eq(t.keep.a, 1)
  emu.eq(t.skip, nil)
end)

emu.test("an error raised by __newindex comes out of decode", function()
  local mt = { __newindex = function() error("no thanks", 0) end }
  emu.raises("no thanks", function() return sjson.decode("[1]", { metatable = mt }) end)
end)

emu.test("decoder:write returns nil until the document is complete, then the result", function()
  local d = sjson.decoder()
  emu.eq(d:write("[10, 1"), nil)
  emu.eq(d:write("1"), nil)
  local r = d:write(', "foo"]')
  emu.same(r, { 10, 11, "foo" })
  emu.eq(d:result(), r, "result() gives the same table")
  emu.eq(d:write("anything"), r, "later writes give it again")
end)

emu.test("a document split anywhere decodes the same", function()
  local text = '{"name":"esp","list":[1,-2.5e1,true,null,"a\\"b"],"n":{"x":{}}}'
  local whole = sjson.decode(text, {})
  for size = 1, 7 do
    local d = sjson.decoder({})
    local result
    for i = 1, #text, size do result = d:write(text:sub(i, i + size - 1)) end
    emu.same(result, whole, "chunks of " .. size)
  end
end)

emu.test("__newindex runs as each value completes, write by write", function()
  local seen = 0
  local mt = { __newindex = function(t, k, v) seen = seen + 1 rawset(t, k, v) end }
  local d = sjson.decoder({ metatable = mt })
  d:write('[1, 2, ')
  emu.eq(seen, 2)
  d:write('3]')
  emu.eq(seen, 3)
end)

emu.test("result before completion raises 'decode not complete'", function()
  local d = sjson.decoder()
  d:write("[1,")
  emu.raises("decode not complete", function() return d:result() end)
end)

emu.test("after a parse error every write raises 'JSON parse error: previous call'", function()
  local d = sjson.decoder()
  emu.raises("JSON parse error: TRAILING_COMMA", function() return d:write("[1,]") end)
  emu.raises("JSON parse error: previous call", function() return d:write("[1]") end)
end)

emu.test("decoder:write needs a string", function()
  local d = sjson.decoder()
  emu.raises("bad argument #1 to 'write' (string expected, got nil)", function() return d:write(nil) end)
end)

emu.test("surrogate pairs decode to one UTF-8 character (documented difference)", function()
  emu.same(sjson.decode('["\\ud83d\\ude00"]'), { "\240\159\152\128" })
end)
