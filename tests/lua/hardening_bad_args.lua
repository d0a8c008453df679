-- hardening: every module function and every method, called with a spread of bad arguments
-- (nil, wrong types, huge/negative/NaN numbers, long strings, tables with trapping
-- metamethods, foreign userdata), must raise a string error or return: never crash the
-- emulator. Also: __gc called by the script itself, callbacks that close or re-enter the object
-- calling them. Most useful under the ASan+UBSan build (-DNODEMCU_EMU_SANITIZE=ON).
-- Runs as a device whose --fs is a fresh temporary folder (fixtures/fs/sandbox.lua); names are
-- resolved from fixtures/hosts only, so nothing here ever asks a real DNS server.
local dir = require("fixtures.fs.sandbox").enter(nil, { "--hosts", "fixtures/hosts" })
local emu = require "emu"

-- --- the spread ---------------------------------------------------------------------------

local trap = setmetatable({}, {
  __index = function() error("index trap") end,
  __newindex = function() error("newindex trap") end,
})
local long = string.rep("A", 70000)
local proxy = newproxy(true)

-- Every bad value, each with a name for failure messages. Functions here never raise: they may
-- end up as callbacks run later, where an error would reboot the device.
local V = {
  { "nil", nil }, { "false", false }, { "true", true }, { "0", 0 }, { "1", 1 }, { "-1", -1 },
  { "0.5", 0.5 }, { "2^31", 2 ^ 31 }, { "2^32", 2 ^ 32 }, { "2^53", 2 ^ 53 }, { "2^63", 2 ^ 63 },
  { "-2^63", -2 ^ 63 }, { "1e308", 1e308 }, { "-1e308", -1e308 }, { "inf", math.huge },
  { "-inf", -math.huge }, { "nan", 0 / 0 }, { '""', "" }, { '"x"', "x" }, { '"0"', "0" },
  { '"-1"', "-1" }, { '"nan"', "nan" }, { '"1e999"', "1e999" }, { "long", long },
  { '"\\0"', "\0" }, { '"a\\0b"', "a\0b" }, { "{}", {} }, { "{1,2,3}", { 1, 2, 3 } },
  { "trap", trap }, { "function", function() end },
  { "coroutine", coroutine.create(function() end) }, { "proxy", proxy },
  { "light userdata", sjson.NULL },
}
-- Smaller spreads for two and three arguments.
local V2 = {
  V[1], V[2], V[4], V[5], V[6], V[9], V[12], V[17], V[18], V[19], V[21], V[24], V[27], V[28],
  V[29], V[30], V[32],
}
local V3 = { V[1], V[4], V[6], V[17], V[19], V[24], V[27], V[29], V[30] }

local calls = 0

-- Calls f with exactly the arguments given (nils included); a failure must be a string.
local function try(label, f, n, a, b, c, d, e)
  calls = calls + 1
  local ok, err
  if n == 0 then ok, err = pcall(f)
  elseif n == 1 then ok, err = pcall(f, a)
  elseif n == 2 then ok, err = pcall(f, a, b)
  elseif n == 3 then ok, err = pcall(f, a, b, c)
  elseif n == 4 then ok, err = pcall(f, a, b, c, d)
  else ok, err = pcall(f, a, b, c, d, e) end
  if not ok and type(err) ~= "string" then
    error(label .. ": error is a " .. type(err) .. ", not a string", 2)
  end
  return ok, err
end

-- f() , f(v), f(v, w), f(v, w, x) over the spreads; `prefix` arguments go first; `after` runs
-- after every call (to undo what a call that happened to be valid changed).
local function fuzz(label, f, prefix, after)
  prefix = prefix or {}
  local np = #prefix
  local p1, p2, p3 = prefix[1], prefix[2], prefix[3]
  local function call(name, n, a, b, c)
    local args = { p1, p2, p3 }
    local count = np
    for _, v in ipairs({ { a }, { b }, { c } }) do
      if count - np < n then
        count = count + 1
        args[count] = v[1]
      end
    end
    try(label .. "(" .. name .. ")", f, count, args[1], args[2], args[3], args[4], args[5])
    if after then after() end
  end
  call("", 0)
  for _, v in ipairs(V) do call(v[1], 1, v[2]) end
  for _, v in ipairs(V2) do
    for _, w in ipairs(V2) do call(v[1] .. ", " .. w[1], 2, v[2], w[2]) end
  end
  for _, v in ipairs(V3) do
    for _, w in ipairs(V3) do
      for _, x in ipairs(V3) do call(v[1] .. ", " .. w[1] .. ", " .. x[1], 3, v[2], w[2], x[2]) end
    end
  end
end

-- Every function of a module table, less the ones in `skip` (tested on their own below).
local function fuzz_module(name, t, skip, after)
  local names = {}
  for k, f in pairs(t) do
    if type(f) == "function" and not (skip and skip[k]) then names[#names + 1] = k end
  end
  table.sort(names)
  for _, k in ipairs(names) do fuzz(name .. "." .. k, t[k], nil, after and after[k]) end
  return #names
end

-- Every method of an object: as obj:m(...), with a wrong self, and on another object.
local function fuzz_methods(label, obj, after, other)
  local methods = getmetatable(obj).__index
  local names = {}
  for k in pairs(methods) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do
    local m = methods[k]
    fuzz(label .. ":" .. k, m, { obj }, after)
    for _, v in ipairs(V) do try(label .. "." .. k .. "(self=" .. v[1] .. ")", m, 1, v[2]) end
    if other then try(label .. "." .. k .. "(other object)", m, 1, other) end
  end
end

-- __gc called by the script: with every bad value and other objects (nothing happens), then
-- on the object itself (destroyed once), after which every method must refuse it.
local function abuse_gc(label, obj, others)
  local mt = getmetatable(obj)
  local gc, methods = mt.__gc, mt.__index
  for _, v in ipairs(V) do try(label .. " __gc(" .. v[1] .. ")", gc, 1, v[2]) end
  for _, o in ipairs(others) do try(label .. " __gc(other object)", gc, 1, o) end
  try(label .. " __gc(self)", gc, 1, obj)
  try(label .. " __gc(self) again", gc, 1, obj)
  for k, m in pairs(methods) do
    local ok = try(label .. ":" .. k .. " after __gc", m, 1, obj)
    emu.eq(ok, false, label .. ":" .. k .. " after __gc should raise")
    try(label .. ":" .. k .. "(x) after __gc", m, 2, obj, "x")
  end
  emu.eq(getmetatable(obj), nil, label .. " keeps no metatable after __gc")
  try(label .. " tostring after __gc", tostring, 1, obj)
end

-- Objects of every class, for wrong-self calls.
local function all_objects()
  return {
    tmr.create(), crypto.new_hash("MD5"), sjson.encoder({}), sjson.decoder(),
    net.createUDPSocket(), net.createConnection(), net.createServer(), proxy,
  }
end

-- --- module functions ----------------------------------------------------------------------

emu.test("bit, encoder, crypto and sjson functions survive bad arguments", function()
  fuzz_module("bit", bit)
  fuzz_module("encoder", encoder)
  fuzz_module("crypto", crypto)
  fuzz_module("sjson", sjson)
  -- Past the argument checks.
  for _, mech in ipairs({ "MD5", "sha1", "SHA256", "SHA384", "SHA512", "AES-ECB", "aes-cbc" }) do
    fuzz("crypto.hash/" .. mech, crypto.hash, { mech })
    fuzz("crypto.hmac/" .. mech, crypto.hmac, { mech, "data" })
    fuzz("crypto.fhash/" .. mech, crypto.fhash, { mech })
    fuzz("crypto.new_hmac/" .. mech, crypto.new_hmac, { mech })
    fuzz("crypto.encrypt/" .. mech, crypto.encrypt, { mech, "0123456789abcdef" })
    fuzz("crypto.decrypt/" .. mech, crypto.decrypt, { mech, "0123456789abcdef" })
  end
  fuzz("sjson.decode(json, opts)", sjson.decode, { '{"a":[1,2,{"b":null}]}' })
  fuzz("sjson.encode({...}, opts)", sjson.encode, { { 1, "two", { three = 3 }, false } })
  for _, v in ipairs(V) do
    try("sjson.encode{v}", sjson.encode, 1, { v[2] })
    try("sjson.encode{k=v}", sjson.encode, 1, { k = v[2] })
    try("sjson.encode{[v]=1}", sjson.encode, 1, v[2] ~= nil and v[2] == v[2] and { [v[2]] = 1 } or {})
    try("sjson.decode(json, {null=v})", sjson.decode, 2, "[null]", { null = v[2] })
    try("sjson.decode(json, {metatable=v})", sjson.decode, 2, '{"a":{}}', { metatable = v[2] })
    try("sjson.decode(json, {metatable={checkpath=v}})", sjson.decode, 2, '{"a":[{}]}',
      { metatable = { checkpath = v[2] } })
  end
  -- Deep and odd documents.
  try("deep decode", sjson.decode, 1, string.rep("[", 5000) .. string.rep("]", 5000))
  local deep = {}
  for _ = 1, 100 do deep = { deep } end
  try("deep encode", sjson.encode, 1, deep)
  local cyclic = {}
  cyclic[1] = cyclic
  try("cyclic encode", sjson.encode, 1, cyclic)
  try("encode a throwing value", sjson.encode, 1, { function() error("value error") end })
  try("encode a function chain", sjson.encode, 1, { function() return function() return {} end end })
  try("encoder:read(2^63)", function() return sjson.encoder({ 1 }):read(2 ^ 63) end, 0)
  try("encoder:read(nan)", function() return sjson.encoder({ 1 }):read(0 / 0) end, 0)
end)

emu.test("tmr, node, adc, gpio, emu_gpio and uart functions survive bad arguments", function()
  fuzz_module("tmr", tmr, nil, { softwd = function() tmr.softwd(-1) end })
  local restore = {
    output = function() node.output(nil) end,
    setonerror = function() node.setonerror() end,
  }
  -- restart and dsleep would end this run, input runs its text later (see below).
  fuzz_module("node", node, { restart = true, dsleep = true, input = true }, restore)
  fuzz_module("node.task", node.task)
  fuzz_module("node.egc", node.egc)
  if node.LFS then fuzz_module("node.LFS", node.LFS) end  -- 3.x only
  for _, v in ipairs(V) do
    if type(v[2]) ~= "string" and type(v[2]) ~= "number" then
      try("node.input(" .. v[1] .. ")", node.input, 1, v[2])
    end
    -- Only what is not a number (lua_isnumber): it is skipped, never refused. Any number sleeps.
    if v[2] ~= nil and not tonumber(v[2]) then
      local ok = try("node.dsleep(" .. v[1] .. ")", node.dsleep, 1, v[2])
      emu.eq(ok, true, "node.dsleep(" .. v[1] .. ") returns")
    end
    if v[2] ~= nil and not (type(v[2]) == "number" and v[2] >= 0 and v[2] <= 4 and v[2] % 1 == 0) then
      try("node.dsleep(nil, " .. v[1] .. ")", node.dsleep, 2, nil, v[2])
    end
  end
  try("node.info('build_config') with package.loaded replaced", function()
    local saved = package.loaded
    package.loaded = 5
    local ok, info = pcall(node.info, "build_config")
    package.loaded = saved
    assert(ok, info)
    return info
  end, 0)
  try("node.info('build_config') with package gone", function()
    local saved = package
    package = nil
    local ok, info = pcall(node.info, "build_config")
    package = saved
    assert(ok, info)
  end, 0)
  fuzz_module("adc", adc)
  fuzz_module("emu_gpio", emu_gpio, nil, nil)
  local gpio_reset = function()
    for pin = 1, 12 do pcall(gpio.trig, pin, "none") end
  end
  fuzz_module("gpio", gpio, { serout = true }, { trig = gpio_reset, mode = gpio_reset })
  for pin = 0, 12 do
    emu_gpio.drive(pin, nil)
    gpio.mode(pin, gpio.INPUT)
  end
  -- serout: synchronous runs only with cycle counts that end (0 would mean 2^32 cycles).
  fuzz("gpio.serout(pin)", gpio.serout, { 1 }, nil)
  for _, v in ipairs(V) do
    try("gpio.serout(1, 0, {v})", gpio.serout, 3, 1, 0, { v[2] })
    try("gpio.serout(1, 0, {1}, 1, v)", gpio.serout, 5, 1, 0, { 1 }, 1, v[2])
    try("gpio.serout(1, 0, {}, v)", gpio.serout, 4, 1, 0, {}, v[2])
    try("gpio.serout(v, 0, {1})", gpio.serout, 3, v[2], 0, { 1 })
  end
  try("gpio.serout(1, 0, long table)", gpio.serout, 3, 1, 0, { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 })
  gpio.serout(1, 0, {}, 1, 1)  -- takes over (ends) any asynchronous one still running
  -- uart: no data handler (it would read stdin) and nothing written to the console.
  for _, v in ipairs(V) do
    if type(v[2]) ~= "function" then
      try("uart.on(v)", uart.on, 1, v[2])
      try("uart.on('data', v)", uart.on, 2, "data", v[2])
      try("uart.on('data', 5, v)", uart.on, 3, "data", 5, v[2])
    end
    try("uart.write(v)", uart.write, 1, v[2])
    if type(v[2]) ~= "string" and type(v[2]) ~= "number" then
      try("uart.write(0, v)", uart.write, 2, 0, v[2])
    end
    try("uart.write(2, v)", uart.write, 2, 2, v[2])
  end
  uart.on("data")
  fuzz_module("uart", uart, { on = true, write = true })
end)

emu.test("file functions survive bad arguments", function()
  -- format says "format done." each time: a few calls are enough.
  fuzz_module("file", file, { format = true })
  for _, v in ipairs({ V[1], V[5], V[19], V[27] }) do try("file.format", file.format, 1, v[2]) end
  for _, v in ipairs(V) do
    try("file.open(name, v)", file.open, 2, "fuzz.txt", v[2])
    if file.putcontents then try("file.putcontents(name, v)", file.putcontents, 2, "fuzz.txt", v[2]) end
    try("file.seek(whence, v)", function(off)
      local f = file.open("fuzz.txt", "w+")
      if f then
        f:write("0123456789")
        f:seek("set", off)
        f:seek("cur", off)
        f:seek("end", off)
        f:close()
      end
    end, 1, v[2])
    try("file.list(v)", file.list, 1, v[2])
  end
  try("file.list(bad pattern)", file.list, 1, "%")
  try("file.list(bad pattern 2)", file.list, 1, "[")
  file.close()
end)

emu.test("net functions survive bad arguments", function()
  fuzz_module("net", net, { dns = true })
  fuzz_module("net.dns", net.dns)
  -- resolve: names from fixtures/hosts or refused at once (never the network).
  for _, v in ipairs(V) do
    try("net.dns.resolve(v, fn)", net.dns.resolve, 2, v[2], function() end)
    try("net.dns.resolve('device.test', v)", net.dns.resolve, 2, "device.test", v[2])
  end
  try("net.dns.resolve(quad, erroring fn)", net.dns.resolve, 2, "127.0.0.1", function() error("cb") end)
  collectgarbage()
end)

-- --- methods -------------------------------------------------------------------------------

emu.test("tmr, crypto, sjson and file object methods survive bad arguments", function()
  local others = all_objects()
  local t = tmr.create()
  fuzz_methods("timer", t, function() t:unregister() end, others[2])
  local h = crypto.new_hash("SHA256")
  fuzz_methods("hash", h, nil, others[1])
  local hm = crypto.new_hmac("SHA1", "key")
  fuzz_methods("hmac", hm, nil, others[1])
  local enc = sjson.encoder({ 1, 2, { a = "b" } })
  fuzz_methods("encoder", enc, nil, others[1])
  local dec = sjson.decoder()
  fuzz_methods("decoder", dec, nil, others[1])
  local f = assert(file.open("methods.txt", "w+"))
  fuzz_methods("file", f, function()
    if not pcall(f.seek, f, "cur") then
      f = assert(file.open("methods.txt", "a+"))
    end
  end, others[1])
  f:close()
end)

emu.test("udp and tcp object methods survive bad arguments", function()
  local others = all_objects()
  local u = net.createUDPSocket()
  fuzz_methods("udp", u, function() pcall(u.close, u) end, others[1])
  -- send past its checks: a port and a dotted quad first.
  for _, v in ipairs(V) do
    try("udp:send(port, ip, v)", u.send, 4, u, 9, "127.0.0.1", v[2])
    -- (A number is an address too, "2147483648" is 128.0.0.0: only loopback is sent to here.)
    if type(v[2]) ~= "number" then try("udp:send(port, v, data)", u.send, 4, u, 9, v[2], "x") end
    try("udp:send(v, ip, data)", u.send, 4, u, v[2], "127.0.0.1", "x")
    try("udp:listen(v, ip)", u.listen, 3, u, v[2], "127.0.0.1")
    pcall(u.close, u)
    try("udp:ttl(v)", function() u:listen(0); u:ttl(v[2]); u:close() end, 0)
    try("udp:dns(v, fn)", u.dns, 3, u, v[2], function() end)
  end
  pcall(u.close, u)
  local c = net.createConnection()
  fuzz_methods("tcpsocket", c, function() pcall(c.close, c) end, others[1])
  local s = net.createServer()
  fuzz_methods("tcpserver", s, function() pcall(s.close, s) end, others[1])
  collectgarbage()
end)

-- --- __gc called by the script -------------------------------------------------------------

emu.test("__gc called by a script destroys an object once and only its own kind", function()
  local others = all_objects()
  abuse_gc("timer", tmr.create(), others)
  local t = tmr.create()
  t:alarm(1000, tmr.ALARM_AUTO, function() end)
  abuse_gc("running timer", t, others)
  abuse_gc("hash", crypto.new_hash("MD5"), others)
  abuse_gc("encoder", sjson.encoder({ 1 }), others)
  abuse_gc("decoder", sjson.decoder(), others)
  abuse_gc("file", assert(file.open("gc.txt", "w+")), others)
  local u = net.createUDPSocket()
  u:listen(0)
  abuse_gc("udp", u, others)
  abuse_gc("tcpsocket", net.createConnection(), others)
  local s = net.createServer()
  abuse_gc("tcpserver", s, others)
  collectgarbage()
  collectgarbage()
end)

-- --- callbacks that close or re-enter their object -----------------------------------------

emu.test("sjson: a checkpath that writes to or frees its own decoder gets an error", function()
  local dec
  local meta = {
    checkpath = function()
      local ok, err = pcall(dec.write, dec, "[1]")
      emu.eq(ok, false, "write from checkpath")
      emu.eq(type(err), "string")
      ok, err = pcall(getmetatable(dec).__gc, dec)
      emu.eq(ok, false, "__gc from checkpath")
      return true
    end,
  }
  dec = sjson.decoder({ metatable = meta })
  dec:write('{"a":[1,2,{"b":{}}]}')
  emu.same(dec:result(), { a = { 1, 2, { b = {} } } })
  -- __newindex of the metatable re-entering the decoder too.
  local dec2
  dec2 = sjson.decoder({ metatable = { __newindex = function(t, k, v)
    pcall(dec2.write, dec2, "]]]")
    rawset(t, k, v)
  end } })
  dec2:write('{"a":{"b":1}}')
  emu.same(dec2:result(), { a = { b = 1 } })
end)

emu.test("sjson: a function value that reads or frees its own encoder", function()
  local enc
  enc = sjson.encoder({ 1, function()
    pcall(enc.read, enc, 1)
    local ok = pcall(getmetatable(enc).__gc, enc)
    emu.eq(ok, false, "__gc while generating")
    return 2
  end, 3 })
  emu.eq(type(enc:read(100)), "string")
  -- A value that raises leaves an encoder the collector can still free.
  local bad = sjson.encoder({ function() error("no value") end })
  emu.eq(pcall(bad.read, bad), false)
  bad = nil
  collectgarbage()
end)

emu.test("udp: callbacks that close, resend or free their socket", function()
  local u = net.createUDPSocket()
  local depth = 0
  u:on("sent", function(s)
    depth = depth + 1
    if depth < 3 then pcall(s.send, s, 9, "127.0.0.1", "again") end
    pcall(s.close, s)
  end)
  u:send(9, "127.0.0.1", "x")
  emu.eq(depth, 3)
  -- The sent callback raising: the error reaches the caller of send().
  local e = net.createUDPSocket()
  e:on("sent", function() error("sent failed") end)
  emu.eq(select(2, pcall(e.send, e, 9, "127.0.0.1", "x")):match("sent failed$"), "sent failed")
  e:close()
  -- dns with a dotted quad answers inside the call; the callback frees the socket.
  local d = net.createUDPSocket()
  local answered = false
  d:dns("127.0.0.1", function(s, ip)
    answered = ip
    getmetatable(s).__gc(s)
  end)
  emu.eq(answered, "127.0.0.1")
  emu.eq(getmetatable(d), nil)
  d = nil
  collectgarbage()
end)

emu.async("tmr: a callback that frees or re-registers its own timer", function(done)
  local fired = 0
  local t = tmr.create()
  t:alarm(1, tmr.ALARM_AUTO, function(timer)
    fired = fired + 1
    getmetatable(timer).__gc(timer)
  end)
  local u = tmr.create()
  u:alarm(1, tmr.ALARM_SINGLE, function(timer)
    timer:alarm(1, tmr.ALARM_SINGLE, function(again)
      again:unregister()
      again:unregister()
      emu.check(function() emu.eq(fired, 1, "the freed auto timer fired once") end)
      done()
    end)
  end)
end)

emu.async("node.output: the output function may turn itself off", function(done)
  node.output(function(text)
    node.output(nil)
    node.output(nil)
  end, 1)
  print("diverted once")
  local t = tmr.create()
  t:alarm(10, tmr.ALARM_SINGLE, function() done() end)
end)

emu.async("node.input runs odd text without harm", function(done)
  for _, text in ipairs({ "", "\0", "x", "-1", "=nil", "error({})", "return 1", "\r\n\r\n" }) do
    node.input(text)
  end
  local t = tmr.create()
  t:alarm(10, tmr.ALARM_SINGLE, function() done() end)
end)

emu.test("wifi functions survive bad arguments", function()
  local restore = function() wifi.setmode(wifi.STATION) end
  -- suspend/resume print a note to the UART every time: a few calls are enough.
  fuzz_module("wifi", wifi, { suspend = true, resume = true }, { setmode = restore })
  for _, v in ipairs({ V[1], V[5], V[19], V[27] }) do
    try("wifi.suspend", wifi.suspend, 1, v[2])
    try("wifi.resume", wifi.resume, 1, v[2])
  end
  fuzz_module("wifi.sta", wifi.sta)
  fuzz_module("wifi.ap", wifi.ap)
  fuzz_module("wifi.ap.dhcp", wifi.ap.dhcp)
  fuzz_module("wifi.eventmon", wifi.eventmon)
  wifi.setmode(wifi.STATIONAP)
  for _, v in ipairs(V) do
    local x = v[2]
    for _, key in ipairs({ "ssid", "pwd", "bssid", "auto", "save", "connect_cb", "disconnect_cb",
      "authmode_change_cb", "got_ip_cb", "dhcp_timeout_cb" }) do
      try("wifi.sta.config{" .. key .. "=" .. v[1] .. "}", wifi.sta.config, 1,
        { ssid = key == "ssid" and x or "nodemcu-emu", [key] = x })
    end
    for _, key in ipairs({ "ssid", "pwd", "auth", "channel", "hidden", "max", "beacon", "save",
      "staconnected_cb", "stadisconnected_cb", "probereq_cb" }) do
      try("wifi.ap.config{" .. key .. "=" .. v[1] .. "}", wifi.ap.config, 1,
        { ssid = key == "ssid" and x or "device-ap", [key] = x })
    end
    for _, key in ipairs({ "ssid", "bssid", "channel", "show_hidden" }) do
      try("wifi.sta.getap{" .. key .. "=" .. v[1] .. "}", wifi.sta.getap, 3, { [key] = x }, 1, function() end)
    end
    for _, key in ipairs({ "country", "start_ch", "end_ch", "policy" }) do
      try("wifi.setcountry{" .. key .. "=" .. v[1] .. "}", wifi.setcountry, 1, { [key] = x })
    end
    for _, key in ipairs({ "ip", "netmask", "gateway" }) do
      try("wifi.sta.setip{" .. key .. "=" .. v[1] .. "}", wifi.sta.setip, 1, { [key] = x })
      try("wifi.ap.setip{" .. key .. "=" .. v[1] .. "}", wifi.ap.setip, 1, { [key] = x })
    end
    try("wifi.ap.dhcp.config{start=" .. v[1] .. "}", wifi.ap.dhcp.config, 1, { start = x })
    try("wifi.eventmon.register(id, v)", wifi.eventmon.register, 2, wifi.eventmon.STA_GOT_IP, x)
  end
  wifi.setmode(wifi.STATION)
  wifi.sta.config({ ssid = "nodemcu-emu", pwd = "emulator" })
  wifi.eventmon.unregister(wifi.eventmon.STA_GOT_IP)
end)

emu.test("a few hundred thousand calls later the emulator still runs", function()
  emu.truthy(calls > 100000, "calls made: " .. calls)
  emu.eq(file.exists("no such file"), false)
end)
