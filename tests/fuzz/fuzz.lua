-- fuzz.lua: a seeded fuzz driver for every Lua-facing function and method of the emulator.
--
--   nodemcu-emu --virtual-time --on-error continue --hosts tests/fuzz/hosts --fs TMPDIR \
--     tests/fuzz/fuzz.lua --seed S --calls N [--log-from K]
--
-- (tests/fuzz/run.sh does exactly this, with a temporary --fs and a time limit; `make fuzz` runs
-- it for several seeds on the ASan+UBSan build; CTest runs one 20 000-call seed.)
--
-- What it does: enumerates the module tables at run time (every global table that is not a
-- standard Lua library, and their subtables: wifi.sta, net.dns, node.task, ...) and the methods
-- of every object type it meets (found through the userdata's metatable, named after the
-- registry entry luaL_newmetatable made), then makes N calls, each with pcall, picking a target
-- and arguments from its own PRNG: wrong types, nil/none, NaN, +-inf, huge/negative/zero
-- integers, 2^31, 2^53, embedded NULs, empty/long/10 MB strings, tables (trapping, cyclic,
-- deep), functions (that do nothing, raise, collect garbage, or call back into the object that
-- called them: close it and call its methods again), userdata of the wrong class (wrong self),
-- objects after close. Errors are fine; what must never happen is a crash, a sanitizer report
-- or a hang -- run.sh checks for those. A module that lands later joins by itself: its global
-- table is enumerated, and any userdata one of its functions returns becomes an object type
-- whose methods are fuzzed (with the arguments that created it replayed to make more).
--
-- Replay: the same --seed and --calls give the same sequence of calls from the main loop.
-- Callbacks draw from a second PRNG stream, so socket timing (real loopback I/O) cannot shift
-- the main sequence. On a crash, run.sh prints the last "progress" line; --log-from K prints
-- every call from call K on (to stderr), so the last line printed is the call that crashed.
--
-- Safety: the network rule is loopback only. Ports and addresses given to connect/send/listen
-- are filtered (see NET GUARDS), host names resolve through --hosts only (the driver refuses to
-- run without it), file names never contain "/" or "..", and the few calls that would end the
-- run are listed in CARE with what is done instead.

-- --- options -------------------------------------------------------------------------------

local opts = { seed = 1, calls = 20000, log_from = nil, batch = 100 }
do
  local i = 1
  while arg and arg[i] ~= nil do
    local a, v = arg[i], arg[i + 1]
    local function number() return assert(tonumber(v), "fuzz.lua: " .. a .. " needs a number") end
    if a == "--seed" then opts.seed = number()
    elseif a == "--calls" then opts.calls = number()
    elseif a == "--log-from" then opts.log_from = number()
    elseif a == "--batch" then opts.batch = number()
    else error("fuzz.lua: unknown argument " .. tostring(a) .. " (--seed S --calls N --log-from K)") end
    i = i + 2
  end
end

-- The driver's own lines start with "FUZZ: " and go to stderr while io exists (io may be removed
-- from the globals; then print, after taking back node.output).
local stderr = rawget(_G, "io") and io.stderr
local function say(text)
  if stderr then
    stderr:write("FUZZ: ", text, "\n")
  else
    if node and node.output then pcall(node.output, nil) end
    print("FUZZ: " .. text)
  end
end

-- Host names must never reach the system resolver: require --hosts among the emulator options
-- (lua.c puts them at negative indices of `arg`).
do
  local found, i = false, -1
  while arg and arg[i] ~= nil do
    if arg[i] == "--hosts" or tostring(arg[i]):sub(1, 8) == "--hosts=" then found = true end
    i = i - 1
  end
  if not found then
    say("FAILED: run me with --hosts tests/fuzz/hosts (tests/fuzz/run.sh does), or names would go to DNS")
    error("fuzz.lua: --hosts missing")
  end
end

-- The net guards below recognise methods by their type's registry name: without
-- debug.getregistry they could not, and a connect() could leave the machine.
if not (debug and debug.getregistry) then
  say("FAILED: debug.getregistry is needed to name object types (the net guards use the names)")
  error("fuzz.lua: debug.getregistry missing")
end

-- --- PRNG (Park-Miller minimal standard: exact in doubles, same sequence everywhere) --------

local function new_rng(seed)
  local s = math.floor(seed) % 2147483646 + 1
  return function()
    s = s * 48271 % 2147483647
    return s
  end
end
local main_rng = new_rng(opts.seed)
local cb_rng = new_rng(opts.seed * 7919 + 104729)
local rng = main_rng
local function rint(n) return rng() % n + 1 end          -- 1..n
local function pick(t) return t[rng() % #t + 1] end
local function chance(num, den) return rng() % den < num end

-- --- state ---------------------------------------------------------------------------------

local running = true        -- false once the calls are done: callbacks then do nothing
local stats = { calls = 0, cb_calls = 0, cb_runs = 0, errors = 0, skipped = 0, by_group = {}, objects = 0 }
local RING_SIZE = 24
local ring, ring_n = {}, 0
local cb_depth = 0

local classes, class_list = {}, {}          -- metatable -> class
local targets = {}                           -- module functions: {label, fn, group, name}
local by_module, module_names = {}, {}       -- the same, per group (module or "scenario")
local own = setmetatable({}, { __mode = "k" }) -- the driver's own userdata (never tracked)
local fn_kind = setmetatable({}, { __mode = "k" })
local MAX_LIVE, MAX_DEAD = 6, 6

-- --- values --------------------------------------------------------------------------------

local NUMBERS = {
  0, 1, -1, 2, 3, 4, 7, 8, 9, 12, 13, 16, 17, 0.5, -0.5, 1.5, 31, 32, 33, 63, 64, 100, 127, 128,
  255, 256, 1000, 1023, 1024, 1025, 1460, 1461, 2920, 4096, 28800, 28801, 65535, 65536, 65537,
  2 ^ 31 - 1, 2 ^ 31, -2 ^ 31, -2 ^ 31 - 1, 2 ^ 32 - 1, 2 ^ 32, 2 ^ 32 + 1, 2 ^ 53, 2 ^ 53 + 2,
  -2 ^ 53, 2 ^ 63, -2 ^ 63, 2 ^ 64, 1e308, -1e308, 1e-310, math.huge, -math.huge, 0 / 0,
}
local STRINGS = {
  "", "\0", "a\0b", "\0\0\0\0", " ", "0", "1", "-1", "1e999", "-0", "nan", "inf", "0x10",
  "0xFFFFFFFF", " 12 ", "%", "[", "%s%s%s%n", "\255\254\253", "\r\n", "\\", "{}", "[]",
  '[1,2,{"a":null}]', '{"a":1,"b":[true,false,null],"c":"\\u00e9"}', "null", '"str"', "[[[[",
  '{"a":', "\239\187\191{}", '"\\ud800"', "1.5e308", "-", "+", "receive", "sent", "connection",
  "disconnection", "reconnection", "dns", "data", "set", "cur", "end", "r", "w", "a", "r+", "w+",
  "a+", "rb", "MD5", "SHA1", "SHA256", "SHA512", "md5", "sha1", "AES-ECB", "AES-CBC", "hw",
  "sw_version", "build_config", "chip", "lfs", "none", "up", "down", "both", "low", "high",
  "fuzz.txt", "f2.lua", "init.lua", "a.lc", "x", "fuzz.test", "localhost", "nosuch.test",
  "127.0.0.1", "0.0.0.0", "255.255.255.255", "224.0.0.1", "239.1.2.3", "any", "key",
  "0123456789abcdef", "de:ad:be:ef:00:01", "AA:BB:CC:DD:EE:FF", "fuzz-ap", "password123", "DE",
  "print(1)", "return", "=1", "\27Lua", "aGVsbG8=", "====", "zz", "0A0b",
}
local LONG = string.rep("A", 70000)
local NULS = string.rep("\0", 5000)
local FRAME = string.rep("x", 1460)
local HUGE_STRING                     -- 10 MB, made the first time it is drawn
local CONFIG_KEYS = {
  "ssid", "pwd", "bssid", "auto", "save", "connect_cb", "disconnect_cb", "authmode_change_cb",
  "got_ip_cb", "dhcp_timeout_cb", "auth", "channel", "hidden", "max", "beacon",
  "staconnected_cb", "stadisconnected_cb", "probereq_cb", "ip", "netmask", "gateway", "start",
  "country", "start_ch", "end_ch", "policy", "show_hidden", "null", "metatable", "depth",
  "checkpath", "mode", "type", "interval", "pin", "level",
}
local FILE_NAMES = { "fuzz.txt", "f2.lua", "init.lua", "a.lc", "x", "", "data.json", "f2.lc", ".x" }
local SAFE_HOSTS = { "127.0.0.1", "fuzz.test", "localhost", "nosuch.test", "peer.fuzz.test" }

local trap = setmetatable({}, {
  __index = function() error("index trap") end,
  __newindex = function() error("newindex trap") end,
  __call = function() error("call trap") end,
})
local proxies = { newproxy(true), newproxy(false) }
for _, p in ipairs(proxies) do own[p] = true end
local co = coroutine.create(function() end)

local gen, gen_function, track

local function random_bytes(n)
  local b = {}
  for i = 1, n do b[i] = string.char(rng() % 256) end
  return table.concat(b)
end

local function gen_string()
  local k = rint(100)
  if k <= 40 then return pick(STRINGS)
  elseif k <= 80 then return random_bytes(rint(41) - 1)
  elseif k <= 88 then return FRAME .. (k % 2 == 0 and "y" or "")
  elseif k <= 93 then return LONG
  elseif k <= 96 then return NULS
  elseif k <= 99 then return random_bytes(rint(3000))
  elseif chance(1, 150) then
    HUGE_STRING = HUGE_STRING or string.rep("Z", 10 * 1024 * 1024)
    return HUGE_STRING
  else return "" end
end

local function gen_number()
  local k = rint(10)
  if k <= 5 then return pick(NUMBERS)
  elseif k <= 8 then return rint(21) - 1
  elseif k <= 9 then return rng() * 2 - 2 ^ 31
  else return (rng() - 2 ^ 30) / 1024 end
end

local function gen_table(depth)
  local k = rint(14)
  if k == 1 then return {}
  elseif k == 2 then
    local t = {}
    for i = 1, rint(8) do t[i] = rint(300) - 1 end
    return t
  elseif k == 3 then return { gen(depth + 1), gen(depth + 1), gen(depth + 1) }
  elseif k == 4 then return trap
  elseif k == 5 or k == 6 then
    local t = {}
    for _ = 1, rint(4) do
      local key = pick(CONFIG_KEYS)
      local v
      if chance(1, 3) then v = gen(depth + 1)
      elseif key:sub(-3) == "_cb" or key == "checkpath" then v = gen_function()
      elseif chance(1, 2) then v = pick(STRINGS)
      else v = rint(16) - 1 end
      t[key] = v
    end
    return t
  elseif k == 7 then
    local t = {}
    t[1], t.self = t, t
    return t
  elseif k == 8 then
    local t = {}
    for _ = 1, 200 do t = { t } end
    return t
  elseif k == 9 then
    local t = {}
    for i = 1, 300 do t[i] = i end
    return t
  elseif k == 10 then
    local t = {}
    for _ = 1, rint(4) do
      local key = gen(depth + 1)
      if key ~= nil and key == key then t[key] = gen(depth + 1) end
    end
    return t
  elseif k == 11 then
    return setmetatable({ 1, 2 }, { __index = function(_, key) return key end, __len = function() return 1e9 end })
  elseif k == 12 then
    return { a = { 1, 2, { b = "c", d = false } }, [1] = "x", [2] = 0.5, e = { {}, { {} } } }
  elseif k == 13 then return { 1, 1, 1 }
  else
    local t = {}
    for i = 1, rint(5) do t[i] = gen(depth + 1) end
    return t
  end
end

local function live_objects_any()
  local c = #class_list > 0 and pick(class_list)
  if c and #c.live > 0 then return pick(c.live) end
  if c and #c.dead > 0 then return pick(c.dead) end
  return nil
end

local function gen_userdata()
  local k = rint(10)
  if k <= 6 then return live_objects_any()
  elseif k <= 8 then
    local c = #class_list > 0 and pick(class_list)
    return c and #c.dead > 0 and pick(c.dead) or pick(proxies)
  elseif k == 9 then return pick(proxies)
  elseif sjson and type(sjson.NULL) == "userdata" and chance(1, 2) then return sjson.NULL
  else return co end
end

function gen(depth)
  depth = depth or 0
  if depth > 3 then return nil end
  local k = rint(100)
  if k <= 8 then return nil
  elseif k <= 12 then return rng() % 2 == 0
  elseif k <= 34 then return gen_number()
  elseif k <= 56 then return gen_string()
  elseif k <= 68 then return gen_table(depth)
  elseif k <= 82 then return gen_function()
  else return gen_userdata() end
end

-- --- targets and objects -------------------------------------------------------------------

local function class_name(mt)
  -- 1.x's UDP objects (net_v1.cpp) each have a metatable of their own that names the class.
  if type(rawget(mt, "class")) == "string" then return rawget(mt, "class") end
  local reg = debug and debug.getregistry and debug.getregistry()
  if reg then
    for k, v in pairs(reg) do
      if v == mt and type(k) == "string" then return k end
    end
  end
  return "class" .. (#class_list + 1)
end

local function class_of(u)
  if type(u) ~= "userdata" or own[u] then return nil end
  local mt = getmetatable(u)
  if type(mt) ~= "table" then return nil end
  -- Objects whose metatables share one method table are one class.
  local key = type(mt.__index) == "table" and mt.__index or mt
  local c = classes[key]
  if c then return c end
  c = { mt = mt, name = class_name(mt), live = {}, dead = {}, known = setmetatable({}, { __mode = "k" }),
        methods = {}, fns = {} }
  local names = {}
  if type(mt.__index) == "table" then
    for k, f in pairs(mt.__index) do
      if type(f) == "function" and type(k) == "string" then names[#names + 1] = k end
    end
  end
  table.sort(names)
  for _, k in ipairs(names) do c.fns[k] = mt.__index[k] end
  -- __gc and __tostring as a script may call them (getmetatable(x).__gc(x)).
  for _, k in ipairs({ "__gc", "__tostring" }) do
    if type(mt[k]) == "function" then names[#names + 1] = k; c.fns[k] = mt[k] end
  end
  for _, k in ipairs(names) do
    c.methods[#c.methods + 1] = { label = c.name .. ":" .. k, fn = c.fns[k], name = k, group = c.name, class = c }
  end
  classes[key] = c
  class_list[#class_list + 1] = c
  return c
end

-- Closing what an object holds (sockets, timers, files); the object stays usable as a "closed"
-- argument afterwards.
local CLOSERS = { "close", "unregister", "stop" }
local function shut(c, u)
  for _, m in ipairs(CLOSERS) do
    if c.fns[m] then pcall(c.fns[m], u) end
  end
end

local function retire(c, u)
  shut(c, u)
  c.dead[#c.dead + 1] = u
  if #c.dead > MAX_DEAD then
    local old = table.remove(c.dead, 1)
    shut(c, old)
    -- Forgotten: if a late callback hands it back, it is tracked (and closed) again.
    c.known[old] = nil
  end
end

function track(u, creator, args, n)
  local c = class_of(u)
  if not c or c.known[u] then return end
  c.known[u] = true
  stats.objects = stats.objects + 1
  c.live[#c.live + 1] = u
  if creator and not c.creator then c.creator = { target = creator, args = args, n = n } end
  if #c.live > MAX_LIVE then retire(c, table.remove(c.live, 1)) end
end

local function track_all(...)
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "userdata" then track(v) end
  end
end

-- --- NET GUARDS: loopback only, our own ports only -----------------------------------------
-- A port argument becomes, inside the emulator, (lua_Integer)n & 0xFFFF; NaN, +-inf and values
-- past 2^63 convert to INT64_MIN on x86-64, i.e. 0.
local function effective_port(v)
  local n = tonumber(v)
  if n == nil then return nil end
  if n ~= n or n >= 2 ^ 63 or n < -2 ^ 63 then return 0 end
  n = n >= 0 and math.floor(n) or math.ceil(n)
  return n % 65536
end

-- The local port of a net object. 1.5.4.1's objects have no getaddr: under --firmware=1 the
-- driver asks the 2.x socket the emulator builds each one on (net_v1_chunk.cpp keeps it in
-- the metatable's state) — an implementation detail the driver may use and fuzzed code never
-- sees.
local function port_of(u)
  local mt = getmetatable(u)
  local getaddr = type(mt) == "table" and type(mt.__index) == "table" and mt.__index.getaddr
  if getaddr then
    local ok, port = pcall(getaddr, u)
    return ok and port or nil
  end
  local inner = type(mt) == "table" and type(rawget(mt, "state")) == "table" and mt.state.inner
  if type(inner) ~= "userdata" then return nil end
  local ok, port = pcall(function() return inner:getaddr() end)
  return ok and port or nil
end

-- Ports that belong to live objects of this run (servers listening, UDP sockets bound).
local function our_ports()
  local ports = {}
  for _, c in ipairs(class_list) do
    if c.name:find("^net%.") then
      for _, u in ipairs(c.live) do
        local port = port_of(u)
        if type(port) == "number" and port > 0 then ports[#ports + 1] = port end
      end
    end
  end
  return ports
end

local function safe_port(v)
  local eff = effective_port(v)
  if eff == nil or eff == 0 then return v end
  for _, p in ipairs(our_ports()) do
    if p == eff then return v end
  end
  local ports = our_ports()
  return #ports > 0 and pick(ports) or 0
end

-- A host: one of SAFE_HOSTS, or any string/number without a digit (it cannot be an address,
-- and names resolve through --hosts only); anything else becomes a safe host.
local function safe_host(v)
  if type(v) ~= "string" and type(v) ~= "number" then return v end
  for _, h in ipairs(SAFE_HOSTS) do
    if v == h then return v end
  end
  if type(v) == "string" and not v:find("%d") then return v end
  return pick(SAFE_HOSTS)
end

local function safe_path(v)
  if type(v) == "string" and (v:find("/", 1, true) or v:find("..", 1, true) or v:find("\\", 1, true)) then
    return pick(FILE_NAMES)
  end
  return v
end

-- Guards keyed by "class:method" or "module.function": they rewrite args (after self for
-- methods) and return the count, or nil to skip the call. Methods are also guarded when called
-- with a wrong self (the guard is attached to the function).
local GUARDS = {
  ["net.tcpsocket:connect"] = function(a, n) a[2] = safe_port(a[2]); a[3] = safe_host(a[3]); return n end,
  ["net.udpsocket:send"] = function(a, n) a[2] = safe_port(a[2]); a[3] = safe_host(a[3]); return n end,
  -- listen binds the device's address whatever IP is named; port 0 (ephemeral) only, so that
  -- no port another program on this machine expects is taken.
  ["net.tcpserver:listen"] = function(a, n)
    if effective_port(a[2]) ~= nil and effective_port(a[2]) ~= 0 then a[2] = 0 end
    return n
  end,
  ["net.udpsocket:listen"] = function(a, n)
    if effective_port(a[2]) ~= nil and effective_port(a[2]) ~= 0 then a[2] = 0 end
    return n
  end,
  ["net.tcpsocket:dns"] = function(a, n) a[2] = safe_host(a[2]); return n end,
  ["net.udpsocket:dns"] = function(a, n) a[2] = safe_host(a[2]); return n end,
  ["net.dns.resolve"] = function(a, n) a[1] = safe_host(a[1]); return n end,
  -- mqtt's port is optional (1883 when not a number): always one of ours, or 0.
  ["mqtt.socket:connect"] = function(a, n)
    a[2] = safe_host(a[2])
    if effective_port(a[3]) == nil then
      local ports = our_ports()
      a[3] = #ports > 0 and pick(ports) or 0
      n = math.max(n, 3)
    else
      a[3] = safe_port(a[3])
    end
    return n
  end,
  -- 1.x (net_v1.cpp): a UDP socket sends to what it connect()ed to; a server answers only its
  -- last sender.
  ["net.socket:connect"] = function(a, n) a[2] = safe_port(a[2]); a[3] = safe_host(a[3]); return math.max(n, 3) end,
  ["net.socket:dns"] = function(a, n) a[2] = safe_host(a[2]); return n end,
  ["net.server:listen"] = function(a, n)
    if effective_port(a[2]) ~= nil and effective_port(a[2]) ~= 0 then a[2] = 0 end
    return n
  end,
}
-- Paths: file.* functions, node.compile, crypto.fhash.
local PATH_FUNCTIONS = { "file.", "node.compile", "crypto.fhash", "node.startup", "node.LFS." }

-- --- CARE: calls that would end the run or block it ----------------------------------------
-- A function here returns the argument count to use (after rewriting args), or nil to skip.
-- A pipe reader (3.x: pipe.create, node.output) that returns anything but a boolean is posted
-- again for ever, as on the chip, and so is one that returns true with data left: the random
-- reader runs, then the pipe is drained and the answer is a boolean.
local function bounded_reader(a, n)
  local f = a[1]
  if type(f) == "function" then
    a[1] = function(p, ...)
      f(p, ...)
      pcall(function() while p:read(1400) do end end)
      return chance(1, 2)
    end
  end
  return n
end

local CARE = {
  -- Reboots the device: the emulator runs the script again (same seed: an endless loop).
  ["node.restart"] = function() return nil end,
  -- A valid table rewrites the partition table and reboots (3.x): only calls that must raise.
  ["node.setpartitiontable"] = function(a, n) return type(a[1]) ~= "table" and n or nil end,
  ["pipe.create"] = bounded_reader,
  ["node.output"] = bounded_reader,
  -- Deep sleep ends the run, and any number sleeps (no release refuses a time): a time that
  -- is a number (lua_isnumber) becomes nil, leaving the option and what is not a number.
  ["node.dsleep"] = function(a, n)
    if tonumber(a[1]) then a[1] = nil end
    return n
  end,
  -- rtctime's deep sleeps end the run too: only calls whose time is not a number (they raise).
  ["rtctime.dsleep"] = function(a, n) return not tonumber(a[1]) and n or nil end,
  ["rtctime.dsleep_aligned"] = function(a, n) return not tonumber(a[1]) and n or nil end,
  -- Erases the flash (a temporary folder): rarely, it is slow and noisy.
  ["file.format"] = function(a, n) return chance(1, 40) and n or nil end,
  -- gpio.serout runs synchronously delays x cycles: cycles 0 means 2^32 of them, and so does
  -- NaN (or "nan": it converts to 0). Only 1..4 pass (a non-number still raises).
  ["gpio.serout"] = function(a, n)
    local cycles = tonumber(a[4])
    if a[4] ~= nil and not (cycles and cycles >= 1 and cycles < 5) then a[4] = 2 end
    return math.max(n, 4)
  end,
  -- The watchdog reboots the device when virtual time jumps past it: disarmed right after
  -- (see AFTER).
  ["tmr.softwd"] = function(a, n) return n end,
}
local AFTER = {
  ["tmr.softwd"] = function() pcall(tmr.softwd, -1) end,
}

-- --- argument hints: plausible arguments so that calls get past the first check -------------

local function fn_arg() return gen_function() end
local function port_arg()
  local ports = our_ports()
  if #ports > 0 and chance(3, 4) then return pick(ports) end
  return chance(1, 2) and 0 or gen()
end
local function host_arg() return pick(SAFE_HOSTS) end
local function small() return rint(12) - 1 end
local function data_arg()
  local k = rint(10)
  if k <= 4 then return random_bytes(rint(64)) elseif k <= 6 then return pick(STRINGS)
  elseif k <= 8 then return FRAME .. FRAME .. "z" else return gen_string() end
end
local function file_arg() return pick(FILE_NAMES) end
local function filemode_arg() return pick({ "r", "w", "a", "r+", "w+", "a+", "rw", "" }) end
local function json_arg()
  return pick({ "[1,2,3]", '{"a":{"b":[null,true,1.5e3]}}', '"x"', "[", "{}", "null", '{"a":1}{',
    string.rep("[", 40) .. string.rep("]", 40), '[1e400,-0,"\\u0000"]', random_bytes(rint(20)) })
end
local function interval_arg() return pick({ 0, 1, 2, 5, 10, 100, 1000, 30000, 6870947, 6870948, 2 ^ 31, -1 }) end
local function const_of(t, names)
  return function()
    local name = pick(names)
    return t and t[name] or rint(4) - 1
  end
end
local function event_arg()
  return pick({ "receive", "sent", "connection", "disconnection", "reconnection", "dns", "data", "x" })
end
local function algo_arg() return pick({ "MD5", "SHA1", "SHA256", "SHA512", "sha1", "md5", "X" }) end
local function pin_arg() return rint(14) - 1 end
local function level_arg() return rint(2) - 1 end
local function delays_arg()
  local t = {}
  for i = 1, rint(6) - 1 do t[i] = rint(2000) end
  return t
end
local function table_arg() return gen_table(0) end
local function bool_arg() return rng() % 2 == 0 end
local function key16() return "0123456789abcdef" end
local function wifi_event() return rint(12) - 1 end

local TMR_MODES = const_of(tmr, { "ALARM_SINGLE", "ALARM_AUTO", "ALARM_SEMI" })
local function topic_arg() return pick({ "t", "a/b", "#", "+/x", "", string.rep("t", 1500), "\0x" }) end
local function topics_arg()
  if chance(1, 2) then return topic_arg() end
  return pick({ { t = 0, u = 2 }, {}, { "t" }, { [string.rep("x", 800)] = 1, [string.rep("y", 800)] = 1 } })
end
local function qos_arg() return rint(4) - 1 end
local function mqtt_event() return pick({ "connect", "connfail", "offline", "message", "overflow", "puback", "suback", "unsuback", "x" }) end
local HINTS = {
  ["on"] = { event_arg, fn_arg },
  ["alarm"] = { interval_arg, TMR_MODES, fn_arg },
  ["register"] = { interval_arg, TMR_MODES, fn_arg },
  ["interval"] = { interval_arg },
  ["net.tcpsocket:connect"] = { port_arg, host_arg, fn_arg },
  ["listen"] = { port_arg, host_arg, fn_arg },
  ["net.udpsocket:send"] = { port_arg, host_arg, data_arg, fn_arg },
  ["send"] = { data_arg, fn_arg },
  ["dns"] = { host_arg, fn_arg },
  ["ttl"] = { small },
  ["write"] = { data_arg },
  ["writeline"] = { data_arg },
  ["read"] = { function() return pick({ 0, 1, 10, 1460, 70000, "\n", "x" }) end },
  ["seek"] = { function() return pick({ "set", "cur", "end", "x" }) end, function() return rint(40) - 20 end },
  ["update"] = { data_arg },
  ["net.createServer"] = { const_of(net, { "TCP", "UDP" }), interval_arg },
  ["mqtt.Client"] = { function() return pick({ "id", "", 12, string.rep("c", 70) }) end, function() return pick({ 0, 1, 2, 60, 65536 }) end,
    function() return pick({ "u", "" }) end, function() return pick({ "p", "" }) end, small, function() return pick({ 0, 10, 100, 2000 }) end },
  ["mqtt.socket:connect"] = { host_arg, port_arg, small, small, fn_arg, fn_arg },
  ["mqtt.socket:publish"] = { topic_arg, data_arg, qos_arg, small, fn_arg },
  ["mqtt.socket:subscribe"] = { topics_arg, qos_arg, fn_arg },
  ["mqtt.socket:unsubscribe"] = { topics_arg, fn_arg },
  ["mqtt.socket:lwt"] = { topic_arg, data_arg, qos_arg, small },
  ["mqtt.socket:on"] = { mqtt_event, fn_arg },
  ["net.createConnection"] = { const_of(net, { "TCP", "UDP" }), bool_arg },
  ["net.dns.resolve"] = { host_arg, fn_arg },
  ["net.multicastJoin"] = { function() return pick({ "any", "", "127.0.0.1" }) end, function() return pick({ "224.0.0.1", "239.1.2.3" }) end },
  ["net.multicastLeave"] = { function() return pick({ "any", "", "127.0.0.1" }) end, function() return pick({ "224.0.0.1", "239.1.2.3" }) end },
  ["file.open"] = { file_arg, filemode_arg },
  ["file.putcontents"] = { file_arg, data_arg },
  ["file.getcontents"] = { file_arg },
  ["file.remove"] = { file_arg },
  ["file.exists"] = { file_arg },
  ["file.stat"] = { file_arg },
  ["file.rename"] = { file_arg, file_arg },
  ["file.list"] = { function() return pick({ "%.lua$", "^f", ".", "%", "[" }) end },
  ["node.compile"] = { file_arg },
  ["sjson.decode"] = { json_arg, table_arg },
  ["sjson.encode"] = { table_arg, table_arg },
  ["sjson.encoder"] = { table_arg, table_arg },
  ["sjson.decoder"] = { table_arg },
  ["sjson.decoder:write"] = { json_arg },
  ["sjson.encoder:read"] = { small },
  ["crypto.new_hash"] = { algo_arg },
  ["crypto.new_hmac"] = { algo_arg, data_arg },
  ["crypto.hash"] = { algo_arg, data_arg },
  ["crypto.hmac"] = { algo_arg, data_arg, data_arg },
  ["crypto.fhash"] = { algo_arg, file_arg },
  ["crypto.encrypt"] = { function() return pick({ "AES-ECB", "AES-CBC", "x" }) end, key16, data_arg, key16 },
  ["crypto.decrypt"] = { function() return pick({ "AES-ECB", "AES-CBC", "x" }) end, key16, data_arg, key16 },
  ["gpio.mode"] = { pin_arg, const_of(gpio, { "INPUT", "OUTPUT", "OPENDRAIN", "INT" }), const_of(gpio, { "PULLUP", "FLOAT" }) },
  ["gpio.write"] = { pin_arg, level_arg },
  ["gpio.read"] = { pin_arg },
  ["gpio.trig"] = { pin_arg, function() return pick({ "up", "down", "both", "low", "high", "none" }) end, fn_arg },
  ["gpio.serout"] = { pin_arg, level_arg, delays_arg, function() return rint(3) end, function() return chance(1, 2) and 1 or gen_function() end },
  ["emu_gpio.drive"] = { pin_arg, level_arg },
  ["emu_gpio.history"] = { pin_arg },
  -- ow, dht, pwm, pwm2, ws2812 and its buffers (pixbuf in 3.x): pins, bytes, plausible sizes.
  ["ow.setup"] = { pin_arg },
  ["ow.reset"] = { pin_arg },
  ["ow.search"] = { pin_arg, bool_arg },
  ["ow.select"] = { pin_arg, function() return chance(1, 2) and random_bytes(8) or { 40, 1, 2, 3, 4, 5, 6, 7 } end },
  ["ow.write"] = { pin_arg, function() return rint(300) - 20 end, small },
  ["ow.write_bytes"] = { pin_arg, data_arg, small },
  ["ow.read_bytes"] = { pin_arg, function() return rint(300) - 20 end },
  ["ow.target_search"] = { pin_arg, function() return rint(300) - 20 end },
  ["ow.crc8"] = { data_arg },
  ["ow.crc16"] = { data_arg, function() return rint(70000) end },
  ["ow.check_crc16"] = { data_arg, small, small, small },
  ["dht.read"] = { pin_arg },
  ["dht.read11"] = { pin_arg },
  ["dht.readxx"] = { pin_arg },
  ["pwm.setup"] = { pin_arg, function() return rint(2000) - 10 end, function() return rint(1100) - 10 end },
  ["pwm.setduty"] = { pin_arg, function() return rint(1100) - 10 end },
  ["pwm.setclock"] = { pin_arg, function() return rint(2000) - 10 end },
  ["pwm2.setup_pin_hz"] = { pin_arg, small, small, small, small },
  ["pwm2.setup_pin_sec"] = { pin_arg, small, small, small, small },
  ["pwm2.set_duty"] = { pin_arg, small, pin_arg, small },
  ["ws2812.init"] = { function() return rint(3) - 1 end },
  ["ws2812.write"] = { data_arg, data_arg },
  ["ws2812.newBuffer"] = { function() return rint(40) - 2 end, function() return rint(5) - 1 end },
  ["pixbuf.newBuffer"] = { function() return rint(40) - 2 end, function() return rint(5) - 1 end },
  ["uart.setup"] = { function() return 0 end, function() return pick({ 9600, 115200, 0, -1 }) end, function() return 8 end, small, small, small },
  ["uart.on"] = { function() return "data" end, function() return pick({ 0, 1, 10, "\n", "x" }) end, fn_arg, small },
  ["uart.write"] = { function() return 0 end, data_arg },
  ["node.task.post"] = { function() return rint(3) - 1 end, fn_arg },
  ["node.output"] = { fn_arg, small },
  ["node.setonerror"] = { fn_arg },
  ["node.info"] = { function() return pick({ "hw", "sw_version", "build_config", "lfs", "x" }) end },
  ["node.egc.setmode"] = { small, function() return pick({ 0, 1, 4096, -1 }) end },
  ["wifi.setmode"] = { function() return rint(4) - 1 end, bool_arg },
  ["wifi.sta.config"] = { table_arg },
  ["wifi.ap.config"] = { table_arg },
  ["wifi.sta.getap"] = { table_arg, small, fn_arg },
  ["wifi.eventmon.register"] = { wifi_event, fn_arg },
  ["wifi.eventmon.unregister"] = { wifi_event },
  ["bit.band"] = { gen_number, gen_number, gen_number },
  ["encoder.toBase64"] = { data_arg },
  ["encoder.fromBase64"] = { data_arg },
  ["encoder.toHex"] = { data_arg },
  ["encoder.fromHex"] = { data_arg },
  ["adc.read"] = { small },
  -- i2c/spi: bus 0 / HSPI mostly, the addresses run.sh attaches models at (bme280 0x76,
  -- at24c32 0x50, pcf8574 0x20), bytes, numbers and strings to write.
  ["i2c.setup"] = { function() return chance(7, 8) and 0 or gen() end, pin_arg, pin_arg, function() return pick({ 100000, 400000, 0, -1 }) end },
  ["i2c.start"] = { function() return 0 end },
  ["i2c.stop"] = { function() return 0 end },
  ["i2c.address"] = { function() return 0 end, function() return pick({ 0x76, 0x50, 0x20, 0x42, 0x77, rint(130) - 2 }) end, function() return rint(3) - 1 end },
  ["i2c.write"] = { function() return 0 end, function() return chance(1, 2) and rint(256) - 1 or data_arg() end, function() return pick({ 0xF4, 0x00, { 1, 2, 3 }, "x" }) end },
  ["i2c.read"] = { function() return 0 end, function() return pick({ 1, 8, 26, 0, -1, 4097 }) end },
  ["spi.setup"] = { function() return chance(7, 8) and 1 or gen() end, function() return rint(3) - 1 end, function() return rint(2) - 1 end, function() return rint(2) - 1 end, function() return pick({ 8, 16, 32, 0, 33 }) end, small, function() return rint(3) - 1 end },
  ["spi.send"] = { function() return 1 end, data_arg, function() return rint(256) - 1 end },
  ["spi.recv"] = { function() return 1 end, function() return pick({ 1, 8, 0, -1, 100 }) end, small },
  ["spi.set_mosi"] = { function() return 1 end, function() return pick({ 0, 8, 511, 512, "abc" }) end, function() return pick({ 8, 16, 32, 0, 33 }) end, gen_number, gen_number },
  ["spi.get_miso"] = { function() return 1 end, function() return pick({ 0, 8, 511, 64 }) end, function() return pick({ 8, 16, 32, 0 }) end, function() return pick({ 1, 2, 70 }) end },
  ["spi.transaction"] = { function() return 1 end, function() return rint(18) - 1 end, gen_number, function() return pick({ 0, 8, 24, 33 }) end, gen_number, function() return pick({ 0, 8, 512, 513 }) end, function() return pick({ 0, 8, 257 }) end, function() return pick({ 0, 8, -8, 512, -513 }) end },
}
-- The pixel buffers' methods, under 1.x/2.x (ws2812.buffer) and 3.x (pixbuf.buf) names.
for _, class in ipairs({ "ws2812.buffer", "pixbuf.buf" }) do
  HINTS[class .. ":fill"] = { small, small, small, small }
  HINTS[class .. ":set"] = { small, small, small, small }
  HINTS[class .. ":get"] = { small }
  HINTS[class .. ":shift"] = { function() return rint(9) - 5 end, function() return rint(2) - 1 end, small, small }
  HINTS[class .. ":sub"] = { function() return rint(9) - 5 end, function() return rint(9) - 5 end }
  HINTS[class .. ":fade"] = { small, function() return rint(2) - 1 end }
  HINTS[class .. ":fadeI"] = { small, function() return rint(2) - 1 end }
end

-- --- generated functions -------------------------------------------------------------------

local invoke, random_target, gen_args

-- What a callback made by the fuzzer does when it runs (later, from the loop, or inside the
-- call that was given it): kinds below. All track the objects they are given.
local FN_KINDS = { "noop", "value", "raise", "raise-table", "reenter", "reenter", "gc", "close-self" }

local function call_back_into(...)
  if not running or cb_depth >= 3 then return end
  cb_depth = cb_depth + 1
  local saved = rng
  rng = cb_rng
  local self = nil
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "userdata" and class_of(v) then self = v; break end
  end
  local ok, err = pcall(function()
    for _ = 1, rint(3) do
      local c = self and class_of(self)
      if c and #c.methods > 0 and chance(2, 3) then
        -- Close the object that called us first now and then, then use it again.
        local m = (c.fns.close and chance(1, 3)) and { label = c.name .. ":close", fn = c.fns.close, name = "close", group = c.name, class = c } or pick(c.methods)
        local args, n = gen_args(m)
        table.insert(args, 1, self)
        invoke(m, args, n + 1, true)
      else
        local t, args, n = random_target()
        if t then invoke(t, args, n, true) end
      end
    end
  end)
  rng = saved
  cb_depth = cb_depth - 1
  if not ok then error(err, 0) end
end

function gen_function()
  local kind = pick(FN_KINDS)
  local f
  if kind == "noop" then f = function(...) track_all(...) end
  elseif kind == "value" then
    local v = pick({ 0, 1, true, false, "x", 0 / 0, trap })
    f = function(...) track_all(...); return v end
  elseif kind == "raise" then f = function(...) track_all(...); error("fuzz callback error") end
  elseif kind == "raise-table" then f = function(...) track_all(...); error({ "not a string" }) end
  elseif kind == "reenter" then f = function(...) track_all(...); call_back_into(...) end
  elseif kind == "gc" then f = function(...) track_all(...); collectgarbage() end
  else
    f = function(first, ...)
      track_all(first, ...)
      local c = class_of(first)
      if running and c then
        for _, m in ipairs(CLOSERS) do
          if c.fns[m] then pcall(c.fns[m], first) end
        end
        if c.fns.__gc and (rng() % 4 == 0) then pcall(c.fns.__gc, first) end
      end
    end
  end
  local counted = function(...)
    if running then stats.cb_runs = stats.cb_runs + 1 end
    return f(...)
  end
  fn_kind[counted] = kind
  return counted
end

-- --- calls ---------------------------------------------------------------------------------

local function describe(v)
  local t = type(v)
  if t == "string" then
    if #v > 24 then return string.format("string(%d):%q..", #v, v:sub(1, 16)) end
    return string.format("%q", v)
  elseif t == "number" then return string.format("%.17g", v)
  elseif t == "function" then return "function(" .. (fn_kind[v] or "?") .. ")"
  elseif t == "userdata" then
    local c = class_of(v)
    return c and (c.name .. (c.known[v] and "" or "?")) or "userdata"
  elseif t == "table" then return v == trap and "trap{}" or "table"
  elseif t == "thread" then return "coroutine"
  end
  return tostring(v)
end

local function call_text(entry)
  local parts = {}
  for i = 1, entry.n do parts[i] = describe(entry.args[i]) end
  return string.format("#%d%s %s(%s)", entry.index, entry.cb and " (in a callback)" or "", entry.label,
    table.concat(parts, ", "))
end

local function guard_for(t)
  if t.guard ~= nil then return t.guard or nil end
  local g = GUARDS[t.label] or CARE[t.label]
  if not g then
    for _, prefix in ipairs(PATH_FUNCTIONS) do
      if t.label:sub(1, #prefix) == prefix then
        g = function(a, n)
          for i = 1, n do a[i] = safe_path(a[i]) end
          return n
        end
      end
    end
  end
  t.guard = g or false
  return g
end

function invoke(t, args, n, in_callback)
  local g = guard_for(t)
  if g then
    n = g(args, n)  -- (for a method, args[1] is self)
    if n == nil then
      stats.skipped = stats.skipped + 1
      return
    end
  end
  if in_callback then stats.cb_calls = stats.cb_calls + 1 else stats.calls = stats.calls + 1 end
  stats.by_group[t.group] = (stats.by_group[t.group] or 0) + 1
  ring_n = ring_n + 1
  local entry = { index = stats.calls, cb = in_callback, label = t.label, args = args, n = n }
  ring[ring_n % RING_SIZE] = entry
  if opts.log_from and stats.calls >= opts.log_from then say("call " .. call_text(entry)) end
  local ok, r1, r2, r3 = pcall(t.fn, unpack(args, 1, n))
  if not ok then
    stats.errors = stats.errors + 1
  else
    for _, r in ipairs({ r1, r2, r3 }) do
      if type(r) == "userdata" then track(r, t, args, n) end
    end
  end
  if AFTER[t.label] then AFTER[t.label]() end
end

-- What fills a long argument list: cheap values of the common types.
local LONG_TAIL = { 0, 1, -1, 0x55, 2 ^ 31, "x", "", true, false, {} }

function gen_args(t)
  local hint = HINTS[t.label] or HINTS[t.name]
  local args, n = {}, 0
  if hint and chance(3, 5) then
    for i, h in ipairs(hint) do
      if chance(9, 10) then args[i] = h() else args[i] = gen() end
    end
    n = #hint
    if chance(1, 4) then n = rint(#hint + 1) - 1 end
    if chance(1, 10) then n = n + 1; args[n] = gen() end
  else
    n = pick({ 0, 1, 1, 2, 2, 2, 3, 3, 4, 5 })
    for i = 1, n do args[i] = gen() end
  end
  -- One call in 50 gets 20 to 300 more arguments: a C function that pushes a value per argument
  -- must ask Lua for the room first (docs/reliability.md, "Lua under the sanitizer too").
  if chance(1, 50) then
    local extra = 19 + rint(281)
    for i = n + 1, n + extra do args[i] = pick(LONG_TAIL) end
    n = n + extra
  end
  return args, n
end

-- A target and its arguments: a module function, or a method with a right or wrong self.
function random_target()
  if #class_list > 0 and chance(9, 20) then
    local c = pick(class_list)
    if #c.methods == 0 then return nil end
    local m = pick(c.methods)
    local args, n = gen_args(m)
    local self
    local k = rint(100)
    if k <= 75 then
      if #c.live == 0 and c.creator and chance(1, 2) then
        -- Make one more of this kind with the arguments that made one before.
        local cr = c.creator
        local copy = {}
        for i = 1, cr.n do copy[i] = cr.args[i] end
        return cr.target, copy, cr.n
      end
      self = #c.live > 0 and pick(c.live) or (#c.dead > 0 and pick(c.dead) or nil)
    elseif k <= 85 then
      self = #c.dead > 0 and pick(c.dead) or gen()
    else
      self = gen()           -- the wrong self: another class, a proxy, a table, nil, ...
    end
    table.insert(args, 1, self)
    return m, args, n + 1
  end
  -- A module first, then one of its functions: wifi's 50 functions do not crowd out net's 8.
  local t = pick(by_module[pick(module_names)])
  local args, n = gen_args(t)
  return t, args, n
end

-- --- enumeration ---------------------------------------------------------------------------

local STANDARD = { _G = true, string = true, table = true, math = true, io = true, os = true,
  coroutine = true, debug = true, package = true, arg = true, emu = true }
local EXPECTED = { "net", "tmr", "node", "wifi", "file", "sjson", "encoder", "crypto", "uart", "gpio",
  "adc", "bit", "emu_gpio", "mqtt", "i2c", "spi", "ow", "dht", "pwm", "ws2812" }
local modules = {}

local function add_module(prefix, t, group, depth, seen)
  if seen[t] then return end
  seen[t] = true
  local names = {}
  for k in pairs(t) do
    if type(k) == "string" then names[#names + 1] = k end
  end
  table.sort(names)
  for _, k in ipairs(names) do
    local v = t[k]
    if type(v) == "function" then
      targets[#targets + 1] = { label = prefix .. "." .. k, fn = v, name = k, group = group }
    elseif type(v) == "table" and depth < 3 and v ~= trap then
      add_module(prefix .. "." .. k, v, group, depth + 1, seen)
    end
  end
end

do
  local names = {}
  for k, v in pairs(_G) do
    if type(k) == "string" and type(v) == "table" and not STANDARD[k] then names[#names + 1] = k end
  end
  table.sort(names)
  local seen = {}
  for _, k in ipairs(names) do
    local before = #targets
    add_module(k, _G[k], k, 1, seen)
    if #targets > before then modules[#modules + 1] = k end
  end
end

-- Scenarios: valid set-ups that make callbacks run (a connected TCP pair, a UDP pair, a timer),
-- with fuzzer-made handlers that close, re-enter or raise. They return the objects they make,
-- so those join the pool like any other.
local function handlers(obj, events)
  for _, e in ipairs(events) do
    if chance(4, 5) then obj:on(e, gen_function()) end
  end
end
local SCENARIOS = {
  tcp_pair = function()
    local srv = net.createServer(net.TCP, pick({ 1, 2, 30 }))
    track(srv)
    srv:listen(0, function(conn)
      track(conn)
      handlers(conn, { "receive", "sent", "disconnection", "reconnection" })
      if chance(1, 2) then pcall(conn.send, conn, data_arg()) end
      if chance(1, 4) then pcall(conn.hold, conn) end
      if chance(1, 8) then pcall(conn.close, conn) end
    end)
    local port = port_of(srv)
    local c = net.createConnection(net.TCP, false)
    track(c)
    handlers(c, { "connection", "receive", "sent", "disconnection", "reconnection", "dns" })
    c:on("connection", function(sck)
      pcall(sck.send, sck, data_arg())
      if chance(1, 3) then call_back_into(sck) end
    end)
    c:connect(port, pick(SAFE_HOSTS))
    return srv, c
  end,
  udp_pair = function()
    local a, b = net.createUDPSocket(), net.createUDPSocket()
    track(a)
    track(b)
    a:listen(0)
    handlers(a, { "receive", "sent", "dns" })
    handlers(b, { "receive", "sent", "dns" })
    local port = port_of(a)
    b:send(port, "127.0.0.1", data_arg())
    return a, b
  end,
  timer = function()
    local t = tmr.create()
    track(t)
    t:alarm(pick({ 1, 2, 10, 100, 1000 }), TMR_MODES(), gen_function())
    return t
  end,
}
do
  local names = {}
  for k in pairs(SCENARIOS) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do
    targets[#targets + 1] = { label = "scenario." .. k, fn = SCENARIOS[k], name = k, group = "scenario" }
  end
end

for _, t in ipairs(targets) do
  if not by_module[t.group] then
    by_module[t.group] = {}
    module_names[#module_names + 1] = t.group
  end
  table.insert(by_module[t.group], t)
end

-- Constants of the modules join the numbers and strings drawn.
for _, name in ipairs(modules) do
  local keys = {}
  for k, v in pairs(_G[name]) do
    if type(k) == "string" and (type(v) == "number" or type(v) == "string") then keys[#keys + 1] = k end
  end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local v = _G[name][k]
    if type(v) == "number" then NUMBERS[#NUMBERS + 1] = v else STRINGS[#STRINGS + 1] = v end
  end
end

-- --- housekeeping --------------------------------------------------------------------------

local function reset_device_state()
  if node then
    pcall(node.output, nil)
    pcall(node.setonerror)
  end
  if tmr and tmr.softwd then pcall(tmr.softwd, -1) end
  if uart and uart.on then pcall(uart.on, "data") end
  if gpio and gpio.trig then
    for pin = 1, 12 do pcall(gpio.trig, pin, "none") end
  end
  if wifi and wifi.eventmon and wifi.eventmon.unregister then
    for id = 0, 12 do pcall(wifi.eventmon.unregister, id) end
  end
  if wifi and wifi.setmode and wifi.STATION then
    pcall(wifi.setmode, wifi.STATION)
    if wifi.sta and wifi.sta.connect then pcall(wifi.sta.connect) end
  end
end

local function close_everything()
  for _, c in ipairs(class_list) do
    while #c.live > 0 do retire(c, table.remove(c.live, 1)) end
    for _, u in ipairs(c.dead) do shut(c, u) end
  end
end

local function clean_flash()
  if not (file and file.list and file.remove) then return end
  local ok, list = pcall(file.list)
  if ok and type(list) == "table" then
    local names = {}
    for name in pairs(list) do names[#names + 1] = name end
    table.sort(names)
    for _, name in ipairs(names) do pcall(file.remove, name) end
  end
  pcall(file.close)
end

local function self_check()
  local t = assert(tmr.create())
  own[t] = true
  t:unregister()
  -- The JSON module of the profile: sjson from 2.x, cjson under --firmware=1.
  local json = sjson or cjson
  assert(json.encode({ a = 1 }) == '{"a":1}', "json round trip")
  assert(json.decode('[1,"x"]')[2] == "x", "json decode")
  assert(encoder.toHex(crypto.hash("SHA1", "abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d", "crypto")
  assert(bit.band(0xFF, 0x0F) == 0x0F, "bit")
  -- open/write/read: 1.5.4.1 has no put/getcontents
  assert(file.open("check.txt", "w") and file.write("ok") and file.close() == nil, "file write")
  assert(file.open("check.txt", "r") and file.read() == "ok", "file read")
  file.close()
  file.remove("check.txt")
end

-- --- the run -------------------------------------------------------------------------------

local function report_failure(why)
  running = false
  say("FAILED: " .. tostring(why))
  say(string.format("replay: seed %s, calls %d (failed at call %d)", tostring(opts.seed), opts.calls, stats.calls))
  say("last calls:")
  for i = math.max(1, ring_n - RING_SIZE + 1), ring_n do
    local e = ring[i % RING_SIZE]
    if e then say("  " .. call_text(e)) end
  end
  -- End the run now (without "FUZZ: done", run.sh reports the failure).
  if node and node.dsleep then pcall(node.dsleep, 1) end
end

say(string.format("seed %s, calls %d, %d module functions in %d modules: %s (and %d scenarios)",
  tostring(opts.seed), opts.calls, #targets - #by_module.scenario, #modules, table.concat(modules, " "),
  #by_module.scenario))
local missing = {}
for _, name in ipairs(EXPECTED) do
  if type(rawget(_G, name)) ~= "table" then missing[#missing + 1] = name end
end
if #missing > 0 then say("modules missing from this build: " .. table.concat(missing, " ")) end

-- The driver's own timer (never given to the fuzzed code): every few batches it lets virtual
-- time move, so that timers and socket timeouts fire between calls.
local pacer = tmr.create()
own[pacer] = true
local CLEAN_EVERY, FLASH_EVERY, PROGRESS_EVERY = 2000, 20000, 10000
local next_clean, next_flash, next_progress = CLEAN_EVERY, FLASH_EVERY, PROGRESS_EVERY
local batches = 0
local schedule

local function finish()
  running = false
  close_everything()
  reset_device_state()
  clean_flash()
  collectgarbage()
  local ok, err = pcall(self_check)
  if not ok then return report_failure("self check after the run: " .. tostring(err)) end
  local groups = {}
  for g in pairs(stats.by_group) do groups[#groups + 1] = g end
  table.sort(groups)
  local per = {}
  for _, g in ipairs(groups) do per[#per + 1] = g .. "=" .. stats.by_group[g] end
  local kinds = {}
  for _, c in ipairs(class_list) do kinds[#kinds + 1] = c.name .. "(" .. #c.methods .. ")" end
  say("object types: " .. table.concat(kinds, " "))
  say("per target: " .. table.concat(per, " "))
  -- The device never exits while anything is open; the driver ends the run once virtual time
  -- is idle 600 s after the end, with a deep sleep (the emulator then closes the Lua state,
  -- runs every __gc and exits 0). Native objects (sockets) still open then are ones the driver
  -- lost track of: a note, not a failure.
  local linger = tmr.create()
  own[linger] = true
  linger:alarm(600000, tmr.ALARM_SINGLE, function()
    -- Drop every reference the driver holds, so only what is still open stays alive.
    for _, c in ipairs(class_list) do c.live, c.dead, c.creator = {}, {}, nil end
    ring = {}
    collectgarbage()
    collectgarbage()
    local has_native, native = pcall(require, "emu.native")
    local open = has_native and native.live_objects() or 0
    if open > 0 then say(string.format("note: %d native objects still open 600 s after the end", open)) end
    node.dsleep(1)
  end)
  say(string.format("done: seed %s, %d calls, %d raised errors, %d skipped, %d objects, %d callbacks ran, %d calls from callbacks",
    tostring(opts.seed), stats.calls, stats.errors, stats.skipped, stats.objects, stats.cb_runs, stats.cb_calls))
end

local function batch()
  rng = main_rng
  for _ = 1, opts.batch do
    if stats.calls >= opts.calls then return finish() end
    local t, args, n = random_target()
    if t then invoke(t, args, n, false) end
  end
  if stats.calls >= next_clean then
    next_clean = next_clean + CLEAN_EVERY
    close_everything()
    reset_device_state()
    collectgarbage()
  end
  if stats.calls >= next_flash then
    next_flash = next_flash + FLASH_EVERY
    clean_flash()
  end
  if stats.calls >= next_progress then
    next_progress = next_progress + PROGRESS_EVERY
    say(string.format("progress %d calls (%d errors, %d from callbacks)", stats.calls, stats.errors, stats.cb_calls))
  end
  schedule()
end

function schedule()
  if not running then return end
  batches = batches + 1
  local function step()
    local ok, err = pcall(batch)
    -- Whatever runs from the loop between batches (callbacks) draws from the second stream.
    rng = cb_rng
    if not ok then report_failure("driver error: " .. tostring(err)) end
  end
  -- Every 8th batch waits for the pacer (1..50 ms of virtual time, from the batch count, not
  -- the PRNG); long timeouts still fire because tmr.delay calls jump the clock.
  if batches % 8 == 0 then
    pacer:alarm(1 + batches % 50, tmr.ALARM_SINGLE, step)
  elseif not pcall(node.task.post, step) then
    pacer:alarm(1, tmr.ALARM_SINGLE, step)  -- the fuzzed calls filled the queue (eight tasks)
  end
end

-- Models written in Lua (emu.attach{model = TABLE}, docs/peripherals.md) on every bus, at
-- places run.sh leaves free: each method the bus calls answers junk of any type, raises, or
-- calls back into the modules from inside the bus operation (an ow call inside a 1-Wire slot,
-- a detach of itself, ...). A reboot drops them, as it drops every Lua model.
do
  local has_board, board = pcall(require, "emu.board")
  local junk = { true, false, 0, 1, 255, 256, -1, 2 ^ 53, 0 / 0, 1 / 0, "", "\1\2\3\4\5", "xyz", {} }
  local model = setmetatable({}, { __index = function(_, method)
    return function(_, ...)
      local saved = rng
      rng = cb_rng
      local k, answer = rint(12), pick(junk)
      if k == 1 then
        rng = saved
        error("lua model: " .. tostring(method) .. " raised")
      elseif k == 2 then
        local ok, err = pcall(call_back_into, ...)
        if not ok then
          rng = saved
          error(err, 0)
        end
      end
      rng = saved
      if k == 3 then return nil end
      return answer
    end
  end })
  local places = { { "i2c", 0, 0x42 }, { "spi", 0, 9 }, { "ow", 0, 7 }, { "dht", 0, 9 }, { "ws2812", 1 } }
  for _, p in ipairs(has_board and places or {}) do
    local ok, err = pcall(board.attach_lua, p[1], p[2], p[3], model, p[1] == "ow")
    if not ok then say("note: no Lua model at " .. p[1] .. ": " .. tostring(err)) end
  end
end

-- Every module function once with hinted arguments first (makes the objects to fuzz).
for _, t in ipairs(targets) do
  local args, n = {}, 0
  local hint = HINTS[t.label] or HINTS[t.name]
  if hint then
    for i, h in ipairs(hint) do args[i] = h() end
    n = #hint
  end
  invoke(t, args, n, false)
end
rng = cb_rng
schedule()
