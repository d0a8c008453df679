-- --coverage: LCOV of the Lua lines run, callbacks included, lines never reached as 0, and the
-- runner's sum over its files (docs/testing.md, "Coverage").
local emu = require "emu"

local function counts(lcov, file_suffix)
  local lines, inside = {}, false
  for line in lcov:gmatch("[^\n]+") do
    if line:sub(1, 3) == "SF:" then inside = line:sub(-#file_suffix) == file_suffix
    elseif inside and line:sub(1, 3) == "DA:" then
      local n, c = line:match("^DA:(%d+),(%d+)$")
      lines[tonumber(n)] = tonumber(c)
    end
  end
  return lines
end

local app = [[
local function classify(x)
  if x > 5 then
    return "big"
  end
  return "small"
end
local function never_called()
  print("never")
end
local t = tmr.create()
t:alarm(100, tmr.ALARM_AUTO, function(timer)
  classify(10)
  if tmr.now() >= 500000 then timer:unregister() end
end)
print(classify(1))
]]

emu.test("each line run is counted, in timer callbacks too, and a line never run shows 0", function()
  local dir = emu.tmpdir()
  emu.write(dir .. "/app.lua", app)
  local out, err, status = emu.run({ file = dir .. "/app.lua", args = { "--coverage=" .. dir .. "/app.lcov" } })
  emu.eq(status, 0, "exit status: " .. out .. err)
  local lcov = emu.read(dir .. "/app.lcov") or ""
  emu.contains(lcov, "SF:" .. dir .. "/app.lua\n")
  emu.contains(lcov, "end_of_record")
  local da = counts(lcov, "/app.lua")
  emu.eq(da[2], 6, "the if: once from the main chunk, five times from the timer")
  emu.eq(da[3], 5, "return \"big\": the timer's five calls")
  emu.eq(da[5], 1, "return \"small\": the main chunk's call")
  emu.eq(da[8], 0, "the body of a function never called")
  emu.eq(da[12], 5, "the timer callback's first line")
end)

emu.test("os.exit writes the coverage before the process ends", function()
  local dir = emu.tmpdir()
  emu.write(dir .. "/exits.lua", "local x = 1\nos.exit(3)\nlocal never = 2\n")
  local _, _, status = emu.run({ file = dir .. "/exits.lua",
                                 args = { "--host-libs", "--coverage=" .. dir .. "/exits.lcov" } })
  emu.eq(status, 3, "exit status")
  local da = counts(emu.read(dir .. "/exits.lcov") or "", "/exits.lua")
  emu.eq(da[1], 1)
  emu.eq(da[3], 0)
end)

emu.test("the runner sums the coverage of its files into one LCOV file", function()
  local dir = emu.tmpdir()
  emu.write(dir .. "/lib.lua", "local M = {}\nfunction M.twice(x)\n  return 2 * x\nend\nreturn M\n")
  for _, name in ipairs({ "a_spec.lua", "b_spec.lua" }) do
    emu.write(dir .. "/" .. name, [[
local emu = require "emu"
local lib = dofile("lib.lua")
emu.test("twice", function() emu.eq(lib.twice(2), 4) end)
]])
  end
  local out, err, status = emu.run({ args = { "--test", "--coverage=" .. dir .. "/all.lcov", dir },
                                     real_time = true })
  emu.eq(status, 0, "runner status: " .. out .. err)
  local lcov = emu.read(dir .. "/all.lcov") or ""
  local lib = counts(lcov, "/lib.lua")
  emu.eq(lib[3], 2, "return 2 * x: once per spec file")
  emu.eq(lib[1], 2, "the module's first line: loaded by both")
  emu.eq(#counts(lcov, "/a_spec.lua") > 0, true, "each spec file is in the report too")
end)
