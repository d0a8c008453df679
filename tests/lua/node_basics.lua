-- args: --heap 294912
-- node: the chip's identity, heap, info, random numbers and other small functions
-- (spec/node.md O1, O6). The heap is enforced here (--heap) with room for this file and emu.
local emu = require "emu"

local function is_integer(v) return type(v) == "number" and v == math.floor(v) end

emu.test("O1 node.heap() is a positive integer", function()
  local h = node.heap()
  emu.truthy(is_integer(h), "integer")
  emu.truthy(h > 0, "positive")
end)

emu.test("O1 node.heap() decreases when Lua allocates and recovers when it is freed", function()
  collectgarbage("collect")
  local before = node.heap()
  local big = {}
  for i = 1, 2000 do big[i] = { i } end
  local during = node.heap()
  emu.truthy(during < before - 20000, "heap " .. before .. " -> " .. during)
  big = nil
  collectgarbage("collect")
  local after = node.heap()
  emu.truthy(after > during + 20000, "heap after freeing " .. after)
end)

emu.test("chipid, flashid and flashsize are the emulated chip's constants", function()
  emu.eq(node.chipid(), 0xA1B2C3)
  emu.eq(node.flashid(), 0x1640EF)
  emu.eq(node.flashsize(), 4 * 1024 * 1024)
end)

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
  emu.eq(sw.node_version_major, 2)
  emu.eq(sw.node_version_minor, 2)
  emu.eq(sw.node_version_revision, 1)
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
  node.output(function() end, 0)  -- the deprecation note (checked below) stays out of the report
  local v = { node.info() }
  node.output(nil)
  emu.eq(#v, 8)
  emu.same(v, { 2, 2, 1, node.chipid(), node.flashid(), node.flashsize() / 1024, 2, 40000000 })
end)

emu.test("node.info() with a non-string group is an argument error", function()
  emu.raises("bad argument #1 to 'info' (string expected, got table)", function() node.info({}) end)
end)

emu.test("node.random() is a float in [0, 1)", function()
  for _ = 1, 200 do
    local r = node.random()
    emu.truthy(r >= 0 and r < 1, "in range: " .. r)
  end
end)

emu.test("node.random(u) is an integer in [1, u]", function()
  local seen = {}
  for _ = 1, 300 do
    local r = node.random(6)
    emu.truthy(is_integer(r) and r >= 1 and r <= 6, "in range: " .. r)
    seen[r] = true
  end
  for i = 1, 6 do emu.truthy(seen[i], "value " .. i .. " seen") end
  emu.eq(node.random(1), 1)
end)

emu.test("node.random(l, u) is an integer in [l, u]", function()
  for _ = 1, 300 do
    local r = node.random(-3, 3)
    emu.truthy(is_integer(r) and r >= -3 and r <= 3, "in range: " .. r)
  end
  emu.eq(node.random(7, 7), 7)
end)

emu.test("node.random with an empty interval raises interval is empty (always argument #2)", function()
  emu.raises("bad argument #2 to 'random' (interval is empty)", function() node.random(5, 4) end)
  emu.raises("bad argument #2 to 'random' (interval is empty)", function() node.random(0) end)
end)

emu.test("node.random with more than two arguments raises wrong number of arguments", function()
  emu.raises("wrong number of arguments", function() node.random(1, 2, 3) end)
end)

emu.test("node.random with a non-number raises number expected", function()
  emu.raises("bad argument #1 to 'random' (number expected, got string)", function() node.random("x") end)
end)

emu.test("node.setcpufreq(160) gives 160 MHz, anything else 80", function()
  emu.eq(node.CPU80MHZ, 80)
  emu.eq(node.CPU160MHZ, 160)
  emu.eq(node.getcpufreq(), 80)
  emu.eq(node.setcpufreq(node.CPU160MHZ), 160)
  emu.eq(node.getcpufreq(), 160)
  emu.eq(node.setcpufreq(100), 80)
  emu.eq(node.getcpufreq(), 80)
end)

emu.test("node.bootreason() after power-on is 1, 0", function()
  local raw, ext, extra = node.bootreason()
  emu.eq(raw, 1)
  emu.eq(ext, 0)
  emu.eq(extra, nil)
end)

emu.test("node.dsleepMax() is a positive number of microseconds", function()
  emu.truthy(node.dsleepMax() > 0)
end)

emu.test("node.dsleep checks its time and option", function()
  emu.raises("bad argument #1 to 'dsleep' (invalid time value)", function() node.dsleep(36e9) end)
  emu.raises("wrong option value", function() node.dsleep(nil, 5) end)
  emu.eq(select("#", node.dsleep(nil, 4)), 0, "only the option")
end)

emu.test("node.sleep() is unavailable, as in the default firmware build", function()
  emu.raises("node.sleep() is unavailable", function() node.sleep({}) end)
end)

emu.test("node.stripdebug() gets and sets the level 1..3", function()
  emu.eq(node.stripdebug(), 3)
  emu.eq(node.stripdebug(2), 2)
  emu.eq(node.stripdebug(), 2)
  emu.raises("bad argument #1 to 'stripdebug' (Invalid strip level)", function() node.stripdebug(4) end)
  emu.raises("bad argument #1 to 'stripdebug' (Invalid strip level)", function() node.stripdebug(0) end)
  node.stripdebug(3)
end)

emu.test("node.egc.setmode accepts the modes and checks the limit", function()
  emu.eq(node.egc.NOT_ACTIVE, 0)
  emu.eq(node.egc.ON_ALLOC_FAILURE, 1)
  emu.eq(node.egc.ON_MEM_LIMIT, 2)
  emu.eq(node.egc.ALWAYS, 4)
  node.egc.setmode(node.egc.ALWAYS)
  node.egc.setmode(node.egc.ON_MEM_LIMIT, 4096)
  emu.raises("invalid mode", function() node.egc.setmode(8) end)
  emu.raises("limit must be non-zero", function() node.egc.setmode(node.egc.ON_MEM_LIMIT) end)
end)

emu.test("node.egc.meminfo() returns two integers", function()
  local total, used = node.egc.meminfo()
  emu.truthy(is_integer(total) and is_integer(used), "integers")
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

emu.test("node.restore() exists and returns nothing", function()
  emu.eq(select("#", node.restore()), 0)
end)

emu.test("the modules are globals and also available through require", function()
  emu.eq(require("node"), node)
  emu.eq(require("tmr"), tmr)
  emu.eq(require("bit"), bit)
end)

emu.test("O1 without --heap a small script sees about 44 KB free", function()
  local out = emu.run { script = "print(node.heap())" }
  local h = tonumber(out)
  emu.truthy(h and h > 40000 and h <= 45056, "node.heap() = " .. out)
end)

emu.test("O1 with --heap the budget is enforced: allocating past it fails with not enough memory", function()
  local out, err, status = emu.run { args = { "--heap", "20000" }, script = [[
    local h = node.heap()
    print(h > 15000 and h <= 20000)
    local ok, e = pcall(function() local t = {} for i = 1, 100000 do t[i] = i end end)
    print(ok, e)
    collectgarbage()
    print(node.heap() > 15000)
  ]] }
  emu.eq(status, 0, "exit status; stderr: " .. err)
  emu.eq(out, "true\nfalse\tnot enough memory\ntrue\n")
end)

emu.test("node.info() without a group prints the firmware's deprecation note", function()
  local out = emu.run { script = "node.info()" }
  emu.eq(out, "Warning, deprecated API! node.info() without parameter. It will be removed in the next " ..
    "version. See documentation for details.\n")
end)
