-- args: --firmware=3
-- A host-side LFS (docs/firmware-3.md): images built by `nodemcu-emu --make-lfs`, loaded by
-- node.LFS.reload or --lfs DIR, read through node.LFS.get/list/time/config and node.flashindex;
-- an application boots from it. Each case runs devices of its own (a reload restarts the chip).
local emu = require "emu"

-- A folder of LFS sources: _init installs the LFS loader for require, as 3.0's lua_examples
-- _init.lua does; hello is a module.
local function sources()
  local dir = emu.tmpdir()
  emu.write(dir .. "/hello.lua", "return function(who) return 'hello ' .. who .. ' from LFS' end\n")
  emu.write(dir .. "/_init.lua", [[
    package.loaders[3] = function(name)
      return node.LFS.get(name) or ("\n\tno LFS module '" .. name .. "'")
    end
  ]])
  return dir
end

local function make_image(flash, ...)
  local out, err, status = emu.run { real_time = true, args = { "--make-lfs", flash .. "/lfs.img", ... } }
  emu.eq(status, 0, "--make-lfs: " .. err)
  emu.contains(out, "lfs.img: ")
end

-- init.lua of the widely used pattern: reload the image once, then boot from LFS.
local boot = [[
if not node.flashindex("_init") then
  node.LFS.reload("lfs.img")  -- restarts the chip (never returns on the device)
else
  node.flashindex("_init")()
  print(require("hello")("init"), node.LFS.time > 0, table.concat(node.LFS.list(), ","))
end
]]

emu.test("an application boots from LFS: reload the image, restart, require finds the module", function()
  local flash = emu.tmpdir()
  make_image(flash, sources())
  emu.write(flash .. "/init.lua", boot)
  local out, err, status = emu.run { args = { "--firmware=3", "--boot", "--fs", flash, "--lfs-size", "0x20000" } }
  emu.eq(status, 0, err)
  emu.eq(out, "hello init from LFS\ttrue\t_init,hello\n")
  emu.contains(err, "restart")
end)

emu.test("--lfs DIR puts the folder's sources in the LFS at power-on", function()
  local out, err, status = emu.run { args = { "--firmware=3", "--lfs", sources() }, script = [[
    node.flashindex("_init")()
    print(require("hello")("you"))
    local c = node.LFS.config
    print(c.lfs_size, c.lfs_base, c.lfs_mapped == 0x40200000 + c.lfs_base, c.lfs_used > 0)
    print(node.info("build_config").lfs_size, node.getpartitiontable().lfs_size)
    print(node.LFS.nothing, node.LFS.get("nothing"), type(node.LFS.hello))
  ]] }
  emu.eq(status, 0, err)
  emu.eq(out, "hello you from LFS\n131072\t655360\ttrue\ttrue\n131072\t131072\nnil\tnil\tfunction\n")
end)

emu.test("a function from LFS names its module in errors", function()
  local dir = emu.tmpdir()
  emu.write(dir .. "/broken.lua", "local x = nil\nreturn x.field\n")
  local _, err = emu.run { args = { "--firmware=3", "--lfs", dir }, script = "node.LFS.get('broken')()" }
  emu.contains(err, "broken.lua:2: attempt to index local 'x' (a nil value)")
end)

emu.test("--make-lfs refuses a file that does not compile, naming it", function()
  local dir = emu.tmpdir()
  emu.write(dir .. "/bad.lua", "return (\n")
  local _, err, status = emu.run { real_time = true, args = { "--make-lfs", dir .. "/x.img", dir .. "/bad.lua" } }
  emu.eq(status, 1)
  emu.contains(err, "bad.lua:2:")
end)

emu.test("a luac.cross image is refused with how to build one here", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/lfs.img", "\31\139\8\0junk from luac.cross -f")
  local out = emu.run { args = { "--firmware=3", "--fs", flash, "--lfs-size", "65536" },
    script = "print(node.LFS.reload('lfs.img'))" }
  emu.contains(out, "luac.cross image")
  emu.contains(out, "nodemcu-emu --make-lfs OUT.img FILES")
end)

emu.test("reload answers the firmware's texts: no file, a bad image, an image too big", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/junk.img", "not an image at all")
  local big = emu.tmpdir()
  emu.write(big .. "/big.lua", "return '" .. ("x"):rep(70000) .. "'\n")
  make_image(flash, big)
  local out = emu.run { args = { "--firmware=3", "--fs", flash, "--lfs-size", "65536" }, script = [[
    print(node.LFS.reload("missing.img"))
    print(node.LFS.reload("junk.img"))
    print(node.LFS.reload("lfs.img"))
  ]] }
  emu.eq(out, "LFS image file not found\nincorrect LFS header signature\n" ..
    "LFS Image too big for configured LFS region\n")
end)

emu.test("setpartitiontable gives an LFS partition at the next boot; bad values are refused", function()
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", [[
    local pt = node.getpartitiontable()
    print(pt.lfs_addr, pt.lfs_size, pt.spiffs_addr)
    if pt.lfs_size == 0 then
      print(pcall(node.setpartitiontable, "x"))
      print(pcall(node.setpartitiontable, { lfs_size = 0x1001 }))
      print(pcall(node.setpartitiontable, { bogus = 1 }))
      node.setpartitiontable({ lfs_size = 0x40000 })
    end
  ]])
  local out, err, status = emu.run { args = { "--firmware=3", "--boot", "--fs", flash } }
  emu.eq(status, 0, err)
  emu.eq(out, "0\t0\t1048576\n" ..
    "false\tbad argument #1 to '?' (must be table)\n" ..
    "false\tPartition value out of range\n" ..
    "false\tbad argument #1 to '?' (invalid partition setting)\n" ..
    "655360\t262144\t1048576\n")
end)

emu.test("--lfs and --lfs-size need --firmware=3", function()
  local _, err, status = emu.run { args = { "--firmware=2", "--lfs-size", "65536" }, script = "" }
  emu.eq(status, 2)
  emu.contains(err, "--lfs and --lfs-size need --firmware=3")
end)
