-- dofile, loadfile, require and -l read the device's flash (--fs) through the same confined
-- folder as the file module: a name that file.open refuses loads nothing from the host either.
-- Chunks are named "@NAME" and a missing one is "cannot open NAME", as on the device.
local emu = require "emu"

-- A flash folder and, next to it, a host folder the device must not reach.
local function setup()
  local base = emu.tmpdir()
  local flash, outside = base .. "/flash", base .. "/outside"
  emu.mkdir(flash)
  emu.mkdir(outside)
  emu.write(outside .. "/secret.lua", "print('SECRET RAN') return 'secret'\n")
  return flash, outside
end

emu.test("loadfile and dofile refuse names that leave the flash, as file.open does", function()
  local flash, outside = setup()
  local out, err, status = emu.run { args = { "--fs", flash }, script = [[
    local outside = ...
    print(file.open("../outside/secret.lua"))
    print(loadfile("../outside/secret.lua"))
    print(pcall(dofile, "../outside/secret.lua"))
    print(loadfile(outside .. "/secret.lua") == nil)
    print(pcall(dofile, "/FLASH/../outside/secret.lua"))
  ]], script_args = { outside } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "nil\nnil\tcannot open ../outside/secret.lua\nfalse\tcannot open ../outside/secret.lua\n" ..
    "true\nfalse\tcannot open /FLASH/../outside/secret.lua\n")
end)

emu.test("require finds nothing outside the flash, whatever package.path says", function()
  local flash = setup()
  local out, err, status = emu.run { args = { "--fs", flash }, script = [[
    package.path = "../outside/?.lua;/tmp/?.lua"
    local ok, e = pcall(require, "secret")
    print(ok, e)
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.lacks(out, "SECRET RAN")
  emu.contains(out, "false\tmodule 'secret' not found:")
  emu.contains(out, "no file '../outside/secret.lua'")
end)

emu.test("-l looks in the flash, not in the working directory", function()
  local flash, outside = setup()
  local out, err, status = emu.run { args = { "--fs", flash, "-l", "secret", "-e", "print('after')" },
    cwd = outside }
  emu.eq(status, 1)
  emu.lacks(out, "SECRET RAN")
  emu.contains(err, "module 'secret' not found")
end)

emu.test("chunks in the flash load by their flash name, .lc before .lua for require", function()
  local flash = setup()
  emu.write(flash .. "/mod.lua", "return 'source'\n")
  emu.mkdir(flash .. "/lib")
  emu.write(flash .. "/lib/util.lua", "#!/usr/bin/env lua\nreturn 'util ' .. (...)\n")
  emu.write(flash .. "/oops.lua", "\nerror('boom')\n")
  local out, err, status = emu.run { args = { "--fs", flash }, script = [[
    print(dofile("mod.lua"), loadfile("/FLASH/mod.lua")())
    print(require("lib.util"))
    print(pcall(dofile, "oops.lua"))
    node.compile("mod.lua")
    file.remove("mod.lua")
    print(require("mod"))
  ]] }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "source\tsource\nutil lib.util\nfalse\toops.lua:2: boom\nsource\n")
end)

emu.test("a missing file is 'cannot open NAME', as the device words it", function()
  local flash = setup()
  local out, err, status = emu.run { args = { "--fs", flash }, script = [[
    print(loadfile("nothere.lua"))
    dofile("nothere.lua")
  ]] }
  emu.eq(status, 1)
  emu.eq(out, "nil\tcannot open nothere.lua\n")
  emu.contains(err, "cannot open nothere.lua")
end)
