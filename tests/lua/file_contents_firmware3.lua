-- file.getcontents/putcontents: 3.0's (file.c@3.0.0-release_20240225), absent from 2.2.1 and
-- 1.5.4.1. Runs as a 3.0 device whose --fs is a fresh temporary folder.
local dir = require("fixtures.fs.sandbox").enter(nil, { "--firmware=3" })
local emu = require "emu"

local function host_write(name, text) emu.write(dir .. "/" .. name, text) end

emu.test("putcontents writes a whole file and returns true; getcontents reads it back", function()
  emu.eq(file.putcontents("pc.txt", "line1\nline2"), true)
  emu.eq(file.getcontents("pc.txt"), "line1\nline2")
  emu.eq(file.putcontents("pc.txt", "short"), true, "replaces the old contents")
  emu.eq(file.getcontents("pc.txt"), "short")
  emu.eq(file.putcontents("pc.txt", ""), true)
  emu.eq(file.putcontents("http/index.html", "<h1>hi</h1>"), true)
  emu.eq(emu.read(dir .. "/http/index.html"), "<h1>hi</h1>", "a name with '/' is a host subfolder")
  emu.eq(file.getcontents("/FLASH/http/index.html"), "<h1>hi</h1>")
end)

emu.test("getcontents returns nothing for a missing file and nil for an empty one", function()
  emu.eq(select("#", file.getcontents("missing.txt")), 0)
  host_write("empty.txt", "")
  local n = select("#", file.getcontents("empty.txt"))
  emu.eq(n, 1)
  emu.eq(file.getcontents("empty.txt"), nil)
end)

emu.test("getcontents reads files larger than the 1024-byte chunk", function()
  host_write("large.txt", string.rep("0123456789", 500))
  emu.eq(file.getcontents("large.txt"), string.rep("0123456789", 500))
end)

emu.test("argument errors carry the firmware's texts", function()
  local long = string.rep("x", 32)
  emu.raises("bad argument #1 to 'getcontents' (filename invalid)", function() return file.getcontents(long) end)
  emu.raises("bad argument #1 to 'putcontents' (filename invalid)", function() return file.putcontents(long, "") end)
  emu.raises("bad argument #2 to 'putcontents' (string expected, got nil)",
    function() return file.putcontents("args2.txt", nil) end)
  emu.eq(file.putcontents(string.rep("n", 31), "ok"), true, "31 characters are valid")
end)

emu.test("under --firmware=2 (2.2.1) and 1 they are absent, and the error hints at 3", function()
  for _, profile in ipairs({ "1", "2" }) do
    local out = emu.run { args = { "--firmware=" .. profile }, script = "print(file.getcontents, file.putcontents)" }
    emu.eq(out, "nil\tnil\n", "profile " .. profile)
  end
  local _, err, status = emu.run { args = { "--firmware=2" }, script = "file.getcontents('x')" }
  emu.eq(status, 1)
  emu.contains(err, "nodemcu-emu: hint: file.getcontents() came with 3.x — run with --firmware=3\n")
end)
