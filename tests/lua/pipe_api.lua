-- args: --firmware=3
-- pipe (3.x): records, reads by size and delimiter, unread, nrec, the reader task, and the
-- argument errors worded as app/modules/pipe.c words them.
local emu = require "emu"

emu.test("pipe:read(n) takes n bytes across records and nil once empty", function()
  local p = pipe.create()
  p:write(string.rep("a", 300))
  p:write("bc")
  emu.eq(p:read(299), string.rep("a", 299))
  emu.eq(p:read(10), "abc")
  emu.eq(p:read(1), nil)
end)

emu.test("pipe:read() stops at a newline and strips it, as pipe.c does", function()
  local p = pipe.create()
  p:write("one\ntwo\nthree")
  emu.eq(p:read(), "one")
  emu.eq(p:read("\n+"), "two\n")
  emu.eq(p:read("\n"), "three", "a last record without delimiter")
  emu.eq(p:read(), nil)
end)

emu.test("a delimiter at the head gives an empty string, not nil", function()
  local p = pipe.create()
  p:write(",x")
  emu.eq(p:read(","), "")
  emu.eq(p:read(","), "x")
end)

emu.test("pipe:unread puts bytes back ahead of the rest", function()
  local p = pipe.create()
  p:write("hello world")
  local a = p:read(6)
  p:unread(a)
  emu.eq(p:read(100), "hello world")
  p:write(string.rep("x", 256))
  p:unread(string.rep("y", 300))
  emu.eq(p:read(301), string.rep("y", 300) .. "x")
end)

emu.test("nrec counts 256-byte records; #pipe is nrec + 1 like the firmware's table", function()
  local p = pipe.create()
  emu.eq(p:nrec(), 0)
  p:write(string.rep("z", 600))
  emu.eq(p:nrec(), 3)
  emu.eq(#p, 4)
  p:read(256)
  emu.eq(p:nrec(), 2)
  emu.truthy(tostring(p):match("^Pipe: "), "tostring")
end)

emu.test("pipe:reader(n) is an iterator over records", function()
  local p = pipe.create()
  p:write("a,b,c")
  local got = {}
  for rec in p:reader(",") do got[#got + 1] = rec end
  emu.same(got, { "a", "b", "c" })
end)

emu.test("writing or unreading an empty string does nothing, whatever the object", function()
  local p = pipe.create()
  p:write("")
  p:unread("")
  emu.eq(p:nrec(), 0)
end)

emu.test("argument errors carry pipe.c's texts", function()
  local p = pipe.create()
  emu.raises("bad argument #1 to 'read' (invalid chunk size)", function() p:read(0) end)
  emu.raises("bad argument #1 to 'read' (invalid delimiter)", function() p:read("ab") end)
  emu.raises("bad argument #1 to 'reader' (invalid delimiter)", function() p:reader("") end)
  emu.raises("bad argument #1 to 'write' (must be a string)", function() p:write({}) end)
  emu.raises("bad argument #1 to 'unread' (must be a string)", function() p:unread(nil) end)
  emu.raises("bad argument #1 to 'read' (pipe table)", function() p.read({}) end)
  emu.raises("bad argument #2 to 'create' (invalid priority)", function() pipe.create(print, 3) end)
  emu.raises("bad argument #1 to 'create' (function expected, got number)", function() pipe.create(1) end)
end)

emu.async("a write posts the reader, which gets the pipe later", function(done)
  local p
  p = pipe.create(function(rp)
    emu.check(function()
      emu.eq(rp, p)
      emu.eq(rp:read(), "line")
    end)
    done()
    return false
  end)
  p:write("line\n")
  emu.eq(p:nrec(), 1, "read synchronously")
end)

emu.async("a reader returning true is posted again while the pipe holds data", function(done)
  local calls = {}
  local p = pipe.create(function(rp)
    calls[#calls + 1] = rp:read(2)
    if rp:nrec() == 0 then
      emu.check(function() emu.same(calls, { "ab", "cd", "e" }) end)
      done()
    end
    return true
  end, node.task.HIGH_PRIORITY)
  p:write("abcde")
end)

emu.async("a reader returning false waits for the next write", function(done)
  local calls = 0
  local p = pipe.create(function(rp)
    calls = calls + 1
    rp:read(1)
    return false
  end)
  p:write("xy")
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    emu.check(function() emu.eq(calls, 1) end)
    p:write("z")
    tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
      emu.check(function()
        emu.eq(calls, 2)
        emu.eq(p:read(10), "z", "the second call read the y")
      end)
      done()
    end)
  end)
end)
