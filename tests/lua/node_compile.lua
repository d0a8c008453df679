-- node.compile: Lua source in the flash compiled to bytecode next to it (spec/node.md).
local emu = require "emu"

emu.test("node.compile('x.lua') writes x.lc into the --fs flash, loadable with dofile and require", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/calc.lua", "local M = {} function M.double(x) return 2 * x end return M\n")
  local out, err, status = emu.run { args = { "--fs", flash }, script = [[
    print(select("#", node.compile("calc.lua")))
    print(dofile("calc.lc").double(21))
    print(require("calc").double(5))
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "0\n42\n10\n")
  local lc = emu.read(flash .. "/calc.lc")
  emu.eq(lc:sub(1, 4), "\27Lua", "bytecode signature")
end)

-- Runs `script` as a device whose flash holds `files`; returns its stdout, stderr, status.
local function in_flash(files, script)
  local flash = emu.tmpdir()
  for name, text in pairs(files) do emu.write(flash .. "/" .. name, text) end
  local out, err, status = emu.run { args = { "--fs", flash }, script = script }
  return out, err, status, flash
end

emu.test("node.compile reads and writes the flash only: a host path outside it is not there", function()
  local dir = emu.tmpdir()
  emu.write(dir .. "/m.lua", "return 'compiled'\n")
  local ok, e = pcall(node.compile, dir .. "/m.lua")
  emu.eq(ok, false)
  emu.contains(e, "cannot open " .. dir .. "/m.lua")
  emu.eq(emu.read(dir .. "/m.lc"), nil, "nothing written outside the flash")
end)

emu.test("node.compile of a name not ending in .lua raises not a .lua file", function()
  emu.raises("not a .lua file", function() node.compile("x.txt") end)
  emu.raises("not a .lua file", function() node.compile("lua") end)
end)

emu.test("node.compile of a basename longer than 31 characters raises filename invalid", function()
  local long = string.rep("a", 28) .. ".lua"  -- 32 characters
  emu.raises("bad argument #1 to 'compile' (filename invalid)", function() node.compile(long) end)
end)

emu.test("node.compile of a file with a syntax error raises the compiler's message", function()
  local out, err, status, flash = in_flash({ ["bad.lua"] = "x = = 1\n" }, "print(pcall(node.compile, 'bad.lua'))")
  emu.eq(status, 0, "stderr: " .. err)
  emu.contains(out, "false\t")
  emu.contains(out, "bad.lua:1: unexpected symbol near '='")
  emu.eq(emu.read(flash .. "/bad.lc"), nil, "no .lc written")
end)

emu.test("node.compile of a missing file raises cannot open", function()
  local out, err, status = in_flash({}, "print(pcall(node.compile, 'missing.lua'))")
  emu.eq(status, 0, "stderr: " .. err)
  emu.contains(out, "false\t")
  emu.contains(out, "cannot open missing.lua")
end)

emu.test("node.compile into a directory that cannot be written raises cannot open/write to file", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/ok.lua", "return 1\n")
  emu.mkdir(flash .. "/ok.lc")  -- a directory where the .lc should go
  local out, err, status = emu.run { args = { "--fs", flash }, script = "print(pcall(node.compile, 'ok.lua'))" }
  emu.eq(status, 0, "stderr: " .. err)
  emu.contains(out, "cannot open/write to file")
end)

emu.test("node.compile needs a string", function()
  emu.raises("bad argument #1 to 'compile' (string expected, got no value)", function() node.compile() end)
end)
