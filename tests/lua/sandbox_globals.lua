-- The device's Lua has the base library, string, table, math, coroutine, debug, and `package`
-- with require but no C loaders: no io, no os, no package.loadlib. Scripts get just that;
-- --host-libs gives the host's libraries back for test code (docs/security.md).
local emu = require "emu"

emu.test("a script has no io, no os, no package.loadlib and no C searchers", function()
  local out, err, status = emu.run { script = [[
    print(io, os, package.loadlib, package.cpath, #package.loaders)
    print(pcall(require, "io"))
    print(pcall(require, "os"))
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.contains(out, "nil\tnil\tnil\tnil\t2\n")
  emu.contains(out, "false\tmodule 'io' not found:")
  emu.contains(out, "false\tmodule 'os' not found:")
end)

emu.test("a script has the device's libraries", function()
  local out, err, status = emu.run { script = [[
    for _, name in ipairs({ "string", "table", "math", "coroutine", "debug", "package" }) do
      io_missing = io_missing or type(_G[name]) ~= "table" and name
    end
    print(io_missing, type(require), type(collectgarbage), type(loadstring))
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "false\tfunction\tfunction\tfunction\n")
end)

emu.test("--host-libs gives io, os, package.loadlib and the host searchers back", function()
  local out, err, status = emu.run { args = { "--host-libs" }, script = [[
    print(type(io), type(os), type(package.loadlib), #package.loaders)
    io.write("written\n")
    os.exit(3)
  ]] }
  emu.eq(status, 3, "stderr: " .. err)
  emu.eq(out, "table\ttable\tfunction\t5\nwritten\n")
end)

emu.test("the emu helper keeps working without io and os", function()
  emu.eq(io, nil)
  emu.eq(os, nil)
  local dir = emu.tmpdir()
  emu.write(dir .. "/x.txt", "content")
  emu.eq(emu.read(dir .. "/x.txt"), "content")
  emu.eq(emu.read(dir .. "/missing"), nil)
end)
