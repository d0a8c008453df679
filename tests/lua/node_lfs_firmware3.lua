-- args: --firmware=3
-- node's LFS and partition calls under 3.x, on a chip without LFS partition (node.c, lflash.c).
local emu = require "emu"

emu.test("node.LFS.reload of any image answers 'No LFS partition allocated'", function()
  emu.eq(node.LFS.reload("lfs.img"), "No LFS partition allocated")
end)

emu.test("node.LFS.get, node.LFS.list, node.LFS.time and node.LFS.<module> are nil without LFS", function()
  emu.eq(node.LFS.get("_init"), nil)
  emu.eq(node.LFS.list(), nil)
  emu.eq(node.LFS.time, nil)
  emu.eq(node.LFS._init, nil)
  emu.eq(node.flashindex("_init"), nil)
end)

emu.test("node.LFS.config and node.info('lfs') show an empty LFS", function()
  emu.same(node.LFS.config, { lfs_mapped = 0, lfs_base = 0, lfs_size = 0, lfs_used = 0 })
  emu.same(node.info("lfs"), node.LFS.config)
end)

emu.test("node.getpartitiontable has no LFS partition", function()
  local pt = node.getpartitiontable()
  emu.eq(pt.lfs_addr, 0)
  emu.eq(pt.lfs_size, 0)
  emu.eq(pt.spiffs_addr, 0x100000)
  emu.truthy(pt.spiffs_size > 0)
end)

emu.test("node.info('build_config') says ssl is false: there is no TLS", function()
  local bc = node.info("build_config")
  emu.eq(bc.ssl, false)
  emu.eq(bc.lfs_size, 0)
  emu.eq(bc.number_type, "float")
  emu.truthy(bc.modules:find("pipe", 1, true), "pipe is built in")
end)

emu.test("node.info groups of 3.0: hw, sw_version; an unknown group is an error", function()
  emu.eq(node.info("sw_version").node_version_major, 3)
  emu.eq(node.info("hw").flash_size, 4096)
  emu.raises("bad argument #1 to 'info' (invalid option 'nope')", function() node.info("nope") end)
end)

emu.test("node.flashreload is deprecated and answers like node.LFS.reload", function()
  local out = emu.run { script = [[print(node.flashreload("x.img"))]], args = { "--firmware=3" } }
  emu.contains(out, "Warning, deprecated API! node.flashreload")
  emu.contains(out, "No LFS partition allocated\n")
end)
