-- node.compile ignores extra arguments, as node.c does (found by tests/fuzz, seed 1). Before,
-- the flash path was read from index 2 whatever the script passed there: a second string was
-- compiled instead of the first (a host path, relative to the working directory), and a
-- table or function made luaL_loadfile read stdin and write ".lc" into the working directory.
local emu = require "emu"

emu.test("node.compile(name, extra) compiles name into the flash and touches nothing else", function()
  local flash, cwd = emu.tmpdir(), emu.tmpdir()
  emu.write(flash .. "/calc.lua", "return 21 * 2\n")
  emu.write(cwd .. "/other.lua", "return 'other'\n")
  local out, err, status = emu.run { args = { "--fs", flash }, cwd = cwd, stdin = "return 'stdin'\n", script = [[
    for _, extra in ipairs({ {}, "other.lua", 5, print }) do
      print(pcall(node.compile, "calc.lua", extra))
      print(dofile("calc.lc"))
      file.remove("calc.lc")
    end
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, string.rep("true\n42\n", 4))
  -- (emu.read gives nil for a file that is not there)
  emu.eq(emu.read(cwd .. "/.lc"), nil, "nothing compiled from stdin into the working directory")
  emu.eq(emu.read(cwd .. "/other.lc"), nil, "the second argument is not compiled")
  emu.eq(emu.read(cwd .. "/5.lc"), nil)
end)
