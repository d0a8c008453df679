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

-- 2.2.1 checks the option only (3.0 nothing: arg_errors_firmware3.lua).
emu.test("node.dsleep checks its option, and skips what is not a number", function()
  emu.raises("wrong arg range", function() node.dsleep(nil, 5) end)
  emu.eq(select("#", node.dsleep(nil, 4)), 0, "only the option")
  emu.eq(select("#", node.dsleep("soon", "x")), 0, "neither is a number")
end)

emu.test("node.sleep() is unavailable, as in the default firmware build", function()
  emu.raises("node.sleep() is unavailable", function() node.sleep({}) end)
end)

-- As 2.2.1 has it: setting returns nothing (3.0 returns the level: arg_errors_firmware3.lua).
emu.test("node.stripdebug() gets and sets the level 1..3", function()
  emu.eq(node.stripdebug(), 2)
  emu.eq(select("#", node.stripdebug(3)), 0)
  emu.eq(node.stripdebug(), 3)
  emu.raises("bad argument #1 to 'stripdebug' (must in range 1-3)", function() node.stripdebug(4) end)
  emu.raises("bad argument #1 to 'stripdebug' (must in range 1-3)", function() node.stripdebug(0) end)
  node.stripdebug(2)
end)

emu.test("node.egc.setmode accepts the modes and checks the limit", function()
  emu.eq(node.egc.NOT_ACTIVE, 0)
  emu.eq(node.egc.ON_ALLOC_FAILURE, 1)
  emu.eq(node.egc.ON_MEM_LIMIT, 2)
  emu.eq(node.egc.ALWAYS, 4)
  node.egc.setmode(node.egc.ALWAYS)
  node.egc.setmode(node.egc.ON_MEM_LIMIT, 4096)
  emu.raises("bad argument #1 to 'setmode' (invalid mode)", function() node.egc.setmode(8) end)
  emu.raises("bad argument #1 to 'setmode' (limit must be non-zero)",
             function() node.egc.setmode(node.egc.ON_MEM_LIMIT) end)
end)

emu.test("node.egc.meminfo() returns two integers", function()
  local total, used = node.egc.meminfo()
  emu.truthy(is_integer(total) and is_integer(used), "integers")
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

emu.test("node.info() is 2.2.1's eight integers; a group name is ignored (no groups before 3.0)", function()
  local want = { 2, 2, 1, node.chipid(), node.flashid(), node.flashsize() / 1024, 2, 40000000 }
  emu.same({ node.info() }, want)
  emu.same({ node.info("hw") }, want)
  emu.same({ node.info({}) }, want)
end)

emu.test("node.info() prints no deprecation note before 3.0", function()
  local out = emu.run { script = "node.info()" }
  emu.eq(out, "")
end)

emu.test("2.2.1's node has no setonerror, startup, startupcommand, flashindex, LFS or partition table", function()
  for _, name in ipairs { "setonerror", "startup", "startupcommand", "flashindex", "flashreload", "LFS",
      "getpartitiontable", "setpartitiontable" } do
    emu.eq(node[name], nil, name)
  end
  for _, name in ipairs { "random", "getcpufreq", "dsleepMax", "sleep", "stripdebug", "task", "egc" } do
    emu.truthy(node[name], name)
  end
end)
