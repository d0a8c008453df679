-- hardening: a corrupt .lc whose string size field is huge makes the loader ask for that many
-- bytes. No request beyond the budget (--heap) or the hard ceiling (1 GiB without --heap) reaches
-- the host's allocator: the load fails with "not enough memory", a clear error, instead of
-- aborting (SIZE_MAX under ASan) or committing gigabytes.
local emu = require "emu"

-- A valid Lua 5.1 header for this host (x86-64: 4-byte int, 8-byte size_t and lua_Number),
-- followed by the size of the main function's source name, little-endian.
local header = "\27Lua\81\0\1\4\8\4\8\0"
local function corrupt(size_bytes) return header .. size_bytes end
local size_max = string.rep("\255", 8)
local one_and_a_half_gib = "\0\0\0\96\0\0\0\0"  -- 0x60000000

emu.test("loadstring of bytecode claiming a SIZE_MAX string fails with not enough memory", function()
  local f, err = loadstring(corrupt(size_max))
  emu.eq(f, nil)
  emu.eq(err, "not enough memory")
end)

emu.test("loadstring of bytecode claiming a 1.5 GiB string fails with not enough memory", function()
  local f, err = loadstring(corrupt(one_and_a_half_gib))
  emu.eq(f, nil)
  emu.eq(err, "not enough memory")
end)

emu.test("dofile of a corrupt .lc in the flash raises not enough memory, and the script goes on", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/bad.lc", corrupt(size_max))
  emu.write(flash .. "/huge.lc", corrupt(one_and_a_half_gib))
  local out, err, status = emu.run { args = { "--fs", flash }, script = [[
    print(pcall(dofile, "bad.lc"))
    print(pcall(dofile, "huge.lc"))
    print(pcall(require, "bad"))
    print("still running")
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "false\tnot enough memory\nfalse\tnot enough memory\n" ..
    "false\terror loading module 'bad' from file 'bad.lc':\n\tnot enough memory\nstill running\n")
end)

emu.test("with --heap the budget is the limit: a corrupt size fails the same way", function()
  local out, err, status = emu.run { args = { "--heap", "100000" }, script = [[
    print(loadstring("\27Lua\81\0\1\4\8\4\8\0\0\0\16\0\0\0\0\0"))
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "nil\tnot enough memory\n")
end)
