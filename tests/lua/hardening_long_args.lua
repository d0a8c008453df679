-- hardening: long argument lists. A C function may use the LUA_MINSTACK (20) stack slots Lua
-- guarantees it; one that pushes a value per argument or per result must ask for room first,
-- or a long call writes past the end of the Lua stack (heap corruption that no sanitizer sees:
-- Debian's liblua5.1 is not instrumented). Every module function is called with 300 arguments
-- of a few kinds; the ones that answer per argument are checked for every answer.
-- Values are loopback-safe: a number or string some function takes as an address is 0 or
-- 127.0.0.1. Runs as a device with a fresh temporary flash (fixtures/fs/sandbox.lua).
-- Callbacks some calls register (a number is a callback to the firmware too) fail when they run:
-- --on-error continue reports them instead of rebooting.
local dir = require("fixtures.fs.sandbox").enter(nil, { "--hosts", "fixtures/hosts", "--on-error", "continue" })
local emu = require "emu"

local N = 300

local function many(v)
  local t = {}
  for i = 1, N do t[i] = v end
  return t
end

-- The kinds of argument a long list is made of.
local KINDS = { many(0), many("127.0.0.1"), many({ 0 }), many(true) }

-- Calls f with each kind's N arguments (after `self` when given); a failure must be a string.
-- Returns the number of calls made.
local function call_long(label, f, self)
  for _, args in ipairs(KINDS) do
    local ok, err
    if self ~= nil then ok, err = pcall(f, self, unpack(args)) else ok, err = pcall(f, unpack(args)) end
    if not ok and type(err) ~= "string" then
      error(label .. ": error is a " .. type(err) .. ", not a string")
    end
  end
  return #KINDS
end

-- What would end this run (restart, sleep, reload, format), take over its console (uart's
-- write, setup and alt, node.input/output) or slow every later allocation (egc.setmode).
local skip_pattern = { "restart", "sleep", "reload", "format", "input", "output", "setonerror",
  "force_init_mode", "setmode", "suspend", "resume" }
local function skipped(path, name)
  if path:match("^uart") and (name == "write" or name == "setup" or name == "alt") then return true end
  for _, p in ipairs(skip_pattern) do
    if name:find(p, 1, true) then return true end
  end
  return false
end

-- Every function of the modules (and of their sub-tables: node.task, wifi.sta, ...).
local function functions_of(t, path, out)
  local names = {}
  for k in pairs(t) do if type(k) == "string" then names[#names + 1] = k end end
  table.sort(names)
  for _, k in ipairs(names) do
    local v = t[k]
    if type(v) == "function" and not skipped(path, k) then
      out[#out + 1] = { path .. "." .. k, v }
    elseif type(v) == "table" and path:find(".", 1, true) == nil and k ~= "__index" then
      functions_of(v, path .. "." .. k, out)
    end
  end
  return out
end

local lua_own = { _G = true, arg = true, coroutine = true, debug = true, math = true, package = true,
  string = true, table = true, io = true, os = true }

emu.test("every module function survives 300 arguments of each kind", function()
  local modules = {}
  for k, v in pairs(_G) do
    if type(v) == "table" and not lua_own[k] then modules[#modules + 1] = k end
  end
  table.sort(modules)
  local calls = 0
  for _, m in ipairs(modules) do
    for _, f in ipairs(functions_of(_G[m], m, {})) do calls = calls + call_long(f[1], f[2]) end
  end
  emu.truthy(calls > 400, "calls made: " .. calls)
  emu.eq(file.exists("no such file"), false, "the emulator still answers")
end)

-- Objects of every class the profile has (a constructor it lacks is skipped).
local function objects()
  local made = {}
  local function try_make(name, f, ...)
    local ok, obj = pcall(f, ...)
    if ok and obj ~= nil then made[#made + 1] = { name, obj } end
  end
  try_make("tmr", tmr.create or function() end)
  try_make("tcp", net.createConnection)
  try_make("server", net.createServer)
  try_make("udp", net.createUDPSocket or function() end)
  try_make("mqtt", mqtt.Client, "long-args", 10)
  try_make("hash", crypto.new_hash or function() end, "MD5")
  try_make("encoder", sjson and sjson.encoder or function() end, {})
  try_make("decoder", sjson and sjson.decoder or function() end)
  try_make("ws2812 buffer", ws2812.newBuffer or function() end, 4, 3)
  try_make("pixbuf", pixbuf and pixbuf.newBuffer or function() end, 4, 3)
  try_make("file", file.open, "long-args.txt", "w+")
  return made
end

emu.test("every method survives 300 arguments of each kind", function()
  local calls = 0
  for _, o in ipairs(objects()) do
    local name, obj = o[1], o[2]
    local methods = getmetatable(obj) and getmetatable(obj).__index
    if type(methods) == "table" then
      local names = {}
      for k, f in pairs(methods) do
        if type(f) == "function" and k ~= "close" then names[#names + 1] = k end
      end
      table.sort(names)
      for _, k in ipairs(names) do calls = calls + call_long(name .. ":" .. k, methods[k], obj) end
    end
    if type(obj) == "userdata" and obj.close then pcall(obj.close, obj) end
  end
  emu.truthy(calls > 100, "calls made: " .. calls)
  emu.eq(file.exists("no such file"), false, "the emulator still answers")
end)

emu.test("spi.send in full duplex answers every one of 300 arguments", function()
  spi.setup(1, spi.MASTER, spi.CPOL_LOW, spi.CPHA_LOW, 8, 8, spi.FULLDUPLEX)
  local r = { spi.send(1, unpack(many(0x55))) }
  emu.eq(#r, N + 1)
  emu.eq(r[1], N, "the count sent")
  emu.eq(r[N + 1], 0xff, "an empty bus reads all ones")
  local t = { spi.send(1, unpack(many({ 1, 2 }))) }
  emu.eq(#t, N + 1)
  emu.eq(t[1], 2 * N)
  emu.same(t[N + 1], { 0xff, 0xff })
  spi.setup(1, spi.MASTER, spi.CPOL_LOW, spi.CPHA_LOW, 8, 8)
end)

emu.test("a buffer's get answers every one of its channels", function()
  -- 1.x/2.x's ws2812 buffers keep the channel count in a byte (up to 255); 3.x's pixbufs take
  -- up to 32.
  local channels = pixbuf and 32 or 255
  local b = ws2812.newBuffer(2, channels)
  b:fill(unpack(many(7), 1, channels))
  local r = { b:get(2) }
  emu.eq(#r, channels)
  emu.eq(r[channels], 7)
end)

emu.test("pcall and xpcall return every result of a call that fills the stack", function()
  local big = many("r")
  for _, n in ipairs({ 17, 18, 19, 20, 21, 22, N, 7000 }) do
    local t = {}
    for i = 1, n do t[i] = i end
    local r = { pcall(unpack, t) }
    emu.eq(#r, n + 1, "pcall(unpack, {1.." .. n .. "})")
    emu.eq(r[1], true)
    emu.eq(r[n + 1], n)
    local x = { xpcall(function() return unpack(t) end, debug.traceback) }
    emu.eq(#x, n + 1, "xpcall of " .. n .. " results")
    emu.eq(x[n + 1], n)
  end
  emu.eq(select("#", pcall(unpack, big)), N + 1)
end)

