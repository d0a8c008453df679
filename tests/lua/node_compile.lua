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

emu.test("a .lc that node.compile wrote outside the flash cannot be loaded: dofile reads the flash only", function()
  local dir = emu.tmpdir()
  emu.write(dir .. "/m.lua", "return 'compiled'\n")
  node.compile(dir .. "/m.lua")
  emu.eq(emu.read(dir .. "/m.lc"):sub(1, 4), "\27Lua", "bytecode written")
  emu.raises("cannot open " .. dir .. "/m.lc", dofile, dir .. "/m.lc")
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
  local dir = emu.tmpdir()
  emu.write(dir .. "/bad.lua", "x = = 1\n")
  local ok, err = pcall(node.compile, dir .. "/bad.lua")
  emu.eq(ok, false)
  emu.contains(err, "bad.lua:1: unexpected symbol near '='")
  emu.eq(emu.read(dir .. "/bad.lc"), nil, "no .lc written")
end)

emu.test("node.compile of a missing file raises cannot open", function()
  local dir = emu.tmpdir()
  local ok, err = pcall(node.compile, dir .. "/missing.lua")
  emu.eq(ok, false)
  emu.contains(err, "cannot open")
end)

emu.test("node.compile into a directory that cannot be written raises cannot open/write to file", function()
  local dir = emu.tmpdir()
  emu.write(dir .. "/ok.lua", "return 1\n")
  emu.mkdir(dir .. "/ok.lc")  -- a directory where the .lc should go
  emu.raises("cannot open/write to file", node.compile, dir .. "/ok.lua")
end)

emu.test("node.compile needs a string", function()
  emu.raises("bad argument #1 to 'compile' (string expected, got no value)", function() node.compile() end)
end)
