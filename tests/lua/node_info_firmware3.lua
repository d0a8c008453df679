-- args: --firmware=3
-- node at 3.0: node.info's groups (node.c node_info), startupcommand, flashindex without an
-- image. 2.2.1's node (no groups, fewer functions): tests/lua/node_basics.lua.
local emu = require "emu"

emu.test("O6 node.info('hw') returns the five documented fields", function()
  local hw = node.info("hw")
  emu.same(hw, {
    chip_id = node.chipid(),
    flash_id = node.flashid(),
    flash_size = node.flashsize() / 1024,
    flash_mode = 2,
    flash_speed = 40000000,
  })
end)

emu.test("O6 node.info('bogus') raises invalid option", function()
  emu.raises("bad argument #1 to 'info' (invalid option 'bogus')", function() node.info("bogus") end)
end)

emu.test("node.info('sw_version') describes the firmware release", function()
  local sw = node.info("sw_version")
  emu.eq(sw.node_version_major, 3)
  emu.eq(sw.node_version_minor, 0)
  emu.eq(sw.node_version_revision, 0)
  for _, key in ipairs { "git_branch", "git_commit_id", "git_release", "git_commit_dts" } do
    emu.eq(type(sw[key]), "string", key)
  end
  local n = 0
  for _ in pairs(sw) do n = n + 1 end
  emu.eq(n, 7, "fields")
end)

emu.test("node.info('build_config') has ssl, lfs_size, modules (sorted, comma-separated) and number_type", function()
  local bc = node.info("build_config")
  emu.eq(type(bc.ssl), "boolean")
  emu.eq(bc.lfs_size, 0)
  emu.eq(type(bc.modules), "string")
  local listed, order = {}, {}
  for name in bc.modules:gmatch("[^,]+") do listed[name] = true order[#order + 1] = name end
  local sorted = { unpack(order) }
  table.sort(sorted)
  emu.same(order, sorted, "sorted")
  for _, name in ipairs { "bit", "node", "tmr" } do emu.truthy(listed[name], "modules lists " .. name) end
  for _, name in ipairs { "string", "emu", "emu_gpio", "_G" } do emu.eq(listed[name], nil, name .. " listed") end
  package.loaded.script_module = { f = function() end }  -- a script's own module is not firmware
  emu.eq(node.info("build_config").modules, bc.modules)
  package.loaded.script_module = nil
  emu.eq(bc.number_type, "float")
end)

emu.test("node.info('lfs') reports no LFS image", function()
  local lfs = node.info("lfs")
  emu.eq(lfs.lfs_base, 0)
  emu.eq(lfs.lfs_size, 0)
  emu.eq(lfs.lfs_used, 0)
  emu.eq(lfs.lfs_mapped, 0)
end)

emu.test("node.info() without a group returns the 8 legacy integers", function()
  local out = emu.run { args = { "--firmware=3" }, script = "print(select(2, pcall(function() return table.concat({ node.info() }, ' ') end)))" }
  emu.contains(out, "3 0 0 " .. node.chipid() .. " " .. node.flashid() .. " " .. node.flashsize() / 1024 .. " 2 40000000\n")
end)

emu.test("node.info() with a non-string group is an argument error", function()
  emu.raises("bad argument #1 to 'info' (string expected, got table)", function() node.info({}) end)
end)

emu.test("node.startupcommand stores the command; node.startup reports it", function()
  emu.eq(node.startupcommand("dofile('app.lua')"), true)
  emu.eq(node.startup().command, "dofile('app.lua')")
  local t = node.startup({})
  emu.eq(t.command, nil, "{} resets it")
  emu.eq(t.banner, true)
  emu.eq(t.frequency, node.getcpufreq())
end)

emu.test("without an LFS image node.flashindex and node.LFS.get return nil", function()
  emu.eq(node.flashindex("_init"), nil)
  emu.eq(node.LFS.get("_init"), nil)
end)

emu.test("node.info() without a group prints the firmware's deprecation note", function()
  local out = emu.run { args = { "--firmware=3" }, script = "node.info()" }
  emu.eq(out, "Warning, deprecated API! node.info() without parameter. It will be removed in the next " ..
    "version. See documentation for details.\n")
end)
