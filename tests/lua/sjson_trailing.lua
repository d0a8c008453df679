-- Text after the decoded document (app/modules/sjson.c + app/sjson/jsonsl.c, 2.2.1 and 3.0 alike):
-- once the document is complete, sjson's error_callback drops jsonsl's errors, so jsonsl stops
-- silently at the first bad character; but a ',' after the document lets one more value in at
-- level 1, and sjson stores it where the document was. Only the chunk that completes the
-- document is read on: a complete decoder is never fed again.
local emu = require "emu"

emu.test("garbage or a second document after the first is ignored: the first is the result", function()
  emu.same(sjson.decode("[1]xyz"), { 1 })
  emu.same(sjson.decode('{"a":1}{"b":2}'), { a = 1 })
  emu.same(sjson.decode("[1] [2]"), { 1 })
  emu.same(sjson.decode("[1]]"), { 1 })
  emu.same(sjson.decode('[1]"s"'), { 1 })
  emu.same(sjson.decode("[1],,[2]"), { 1 }, "a second comma is a STRAY_TOKEN")
end)

emu.test("a document after a comma replaces the first one", function()
  emu.same(sjson.decode("[1],[2]"), { 2 })
  emu.same(sjson.decode('{"a":1} ,\n{"b":2}'), { b = 2 })
  emu.same(sjson.decode("[1],[2],[3]"), { 3 })
  emu.same(sjson.decode("[1],[2]xyz"), { 2 })
end)

emu.test("a document after a comma that breaks off stays as far as it got", function()
  emu.same(sjson.decode("[1],[2"), {}, "the 2 waits for its end and never gets it")
  emu.same(sjson.decode("[1],[2,"), { 2 })
  emu.same(sjson.decode("[1],[2,]"), { 2 }, "TRAILING_COMMA stops it, silently")
  emu.same(sjson.decode('[1],{"a"'), {})
end)

emu.test("a number or literal after a comma is the result once a special-ending character follows", function()
  emu.eq(sjson.decode("[1],2 "), 2)
  emu.eq(sjson.decode("[1],true]"), true)
  emu.eq(sjson.decode("[1],1.5e3,"), 1500)
  emu.eq(sjson.decode("[1],null "), sjson.NULL)
  emu.same(sjson.decode("[1],2"), { 1 }, "the end of the text does not end the number")
  emu.same(sjson.decode("[1],2x"), { 1 }, "x is no special-ending: INVALID_NUMBER before the 2 is stored")
  emu.same(sjson.decode("[1],truex"), { 1 })
  emu.same(sjson.decode('[1],"s",[2]'), { 1 }, "a string outside a container stops it")
end)

emu.test("the replacing document goes through the metatable and checkpath", function()
  local paths = 0
  local mt = { checkpath = function(_, path) paths = paths + 1 return #path == 0 end }
  local t = sjson.decode("[1],[2]", { metatable = mt })
  emu.same(t, { 2 })
  emu.eq(getmetatable(t), mt)
  emu.eq(paths, 2)
  local boom = { __newindex = function(t2, k, v) if v == 2 then error("boom") end rawset(t2, k, v) end }
  emu.raises("boom", function() return sjson.decode("[1],[2]", { metatable = boom }) end)
end)

emu.test("decoder:write reads on only in the chunk that completes the document", function()
  local d = sjson.decoder()
  emu.eq(d:write("[1"), nil)
  emu.same(d:write("],[2]"), { 2 })
  emu.same(d:result(), { 2 })

  d = sjson.decoder()
  emu.same(d:write("[1]"), { 1 })
  emu.same(d:write(",[2]"), { 1 }, "a complete decoder is not fed again")
  emu.same(d:write("xyz"), { 1 }, "nor is garbage an error then")
  emu.same(d:result(), { 1 })

  d = sjson.decoder()
  emu.same(d:write("[1]xyz"), { 1 })
  emu.same(d:write("more"), { 1 })
end)
