-- mqtt against a broker of the test's own (a net server in the same device, virtual time): the
-- CONN_FAIL codes and when they fire, keepalive PINGREQs on the Clock, the queue (one packet in
-- flight), QoS 1/2 handshakes, max_message_length and "overflow". Each case runs a child
-- emulator per firmware profile; the child prints what happened, the case checks it.
local emu = require "emu"

-- The fake broker: answers CONNECT with `CONNACK` (nil: silence), PINGREQ per `PINGRESP`,
-- logs every packet it gets with the virtual time, and runs `on_packet(sck, type, bytes)`.
local broker = [[
local t0 = tmr.now()
function now() return math.floor((tmr.now() - t0) / 1000) end
function log(...) print(now(), ...) end
local buf = ""
local function packets(s, data)
  buf = buf .. data
  while #buf >= 2 do
    local len, i, mul = 0, 2, 1
    repeat
      local b = buf:byte(i); len = len + (b % 128) * mul; mul = mul * 128; i = i + 1
    until b < 128
    if #buf < i - 1 + len then return end
    local p = buf:sub(1, i - 1 + len)
    buf = buf:sub(i + len)
    local t = math.floor(p:byte(1) / 16)
    log("broker-got", t, #p)
    if t == 1 and CONNACK then s:send(CONNACK) end
    if t == 12 and PINGRESP then s:send(string.char(0xD0, 0)) end
    if on_packet then on_packet(s, t, p) end
  end
end
srv = PROFILE == 3 and net.createServer(28800) or net.createServer(net.TCP, 28800)
srv:listen(PORT, function(c) log("accepted"); broker_sck = broker_sck or c; c:on("receive", packets) end)
CONNACK = string.char(0x20, 2, 0, 0)
PINGRESP = true
]]

local function run(profile, body, run_for, extra)
  -- A port chosen here: 1.5.4.1's servers have no getaddr to ask.
  local script = "PROFILE = " .. profile .. "\nPORT = " .. emu.free_port("tcp") .. "\n" .. broker .. body
  local args = { "--firmware=" .. profile, "--run-for", tostring(run_for or 400) }
  for _, a in ipairs(extra or {}) do args[#args + 1] = a end
  local out, err, status = emu.run { args = args, script = script }
  emu.eq(status, 0, "stderr: " .. err .. "\nstdout: " .. out)
  return out, err
end

-- Lines "time what ..." of the child's output whose second word is `what`.
local function times(out, what)
  local t = {}
  for ms, rest in out:gmatch("(%d+)\t" .. what .. "([^\n]*)") do t[#t + 1] = { tonumber(ms), rest } end
  return t
end

local connect = [[
m = mqtt.Client("dev", KEEPALIVE or 120, "", "", 1, MAXLEN or 0)
m:on("offline", function() log("offline") end)
m:on("message", function(c, t, d) log("message", t, d) end)
if m.on and PROFILE ~= 1 then pcall(m.on, m, "overflow", function(c, t, d) log("overflow", t, #(d or "")) end) end
local secure = 0
if PROFILE == 3 then secure = false end
m:connect("127.0.0.1", PORT, secure, function(c) log("connected") if ON_CONNECT then ON_CONNECT(c) end end,
  function(c, code) log("connfail", code) end)
]]

for _, profile in ipairs { 1, 2, 3 } do
  local P = "PROFILE = " .. profile .. "\n"

  emu.test("firmware " .. profile .. ": a broker that never answers CONNECT fails with TIMEOUT_RECEIVING after ~5 s", function()
    local out = run(profile, P .. "CONNACK = nil\n" .. connect, 30)
    local f = times(out, "connfail")
    emu.eq(#f, 1, out)
    emu.eq(f[1][2], "\t-2", out)
    emu.truthy(f[1][1] >= 4000 and f[1][1] <= 6100, "at " .. f[1][1] .. " ms")
    emu.eq(#times(out, "offline"), 1, out)
  end)

  emu.test("firmware " .. profile .. ": an answer that is not a CONNACK fails with NOT_A_CONNACK_MSG, then offline", function()
    local out = run(profile, P .. "CONNACK = string.char(0xD0, 0)\n" .. connect, 30)
    emu.eq(times(out, "connfail")[1][2], "\t-4", out)
    emu.eq(#times(out, "offline"), 1, out)
    emu.eq(#times(out, "connected"), 0, out)
  end)

  emu.test("firmware " .. profile .. ": a refused CONNACK gives its return code to the failure callback", function()
    local out = run(profile, P .. "CONNACK = string.char(0x20, 2, 0, 4)\n" .. connect, 30)
    emu.eq(times(out, "connfail")[1][2], "\t4", out)
  end)

  emu.test("firmware " .. profile .. ": a closed port fails with SERVER_NOT_FOUND (1.x: no callback)", function()
    -- another port: a closed 1.5.4.1 server still listens on its own (firmware-1.md)
    local out = run(profile, P .. "srv:close()\nPORT = " .. emu.free_port("tcp") .. "\n" .. connect, 30)
    local f = times(out, "connfail")
    if profile == 1 then emu.eq(#f, 0, out) else emu.eq(f[1][2], "\t-5", out) end
    emu.eq(#times(out, "offline"), 0, out)
  end)

  emu.test("firmware " .. profile .. ": keepalive 120 s sends PINGREQ on the virtual clock; no PINGRESP ends the session", function()
    local out = run(profile, P .. [[
PINGRESP = false
]] .. connect, 300)
    local pings = {}
    for ms in out:gmatch("(%d+)\tbroker%-got\t12") do pings[#pings + 1] = tonumber(ms) end
    emu.truthy(#pings >= 1, out)
    -- 1.x/2.x count idle seconds on a 1 s tick (PINGREQ when the count passes 120); 3.x arms
    -- one 120 s timer when the last packet was sent.
    local first = pings[1]
    if profile == 3 then emu.truthy(first >= 119900 and first <= 120100, first)
    else emu.truthy(first >= 120000 and first <= 122100, first) end
    local off = times(out, "offline")
    emu.eq(#off, 1, out)
    emu.truthy(off[1][1] > first + 110000, "offline at " .. off[1][1])
  end)

  emu.test("firmware " .. profile .. ": PINGRESPs keep the session for 10 keepalive periods", function()
    local out = run(profile, P .. "KEEPALIVE = 10\n" .. connect, 125)
    local n = 0
    for _ in out:gmatch("broker%-got\t12") do n = n + 1 end
    emu.truthy(n >= 9 and n <= 12, n .. " pings")
    emu.eq(#times(out, "offline"), 0, out)
  end)

  emu.test("firmware " .. profile .. ": QoS 1 publishes go one at a time, each after the previous PUBACK", function()
    local out = run(profile, P .. [[
function on_packet(s, t, p)
  if t == 3 then
    -- acknowledge 300 ms later: nothing else may arrive meanwhile
    local id = p:sub(-4, -3)
    tmr.create():alarm(300, tmr.ALARM_SINGLE, function() s:send(string.char(0x40, 2) .. id) end)
  end
end
ON_CONNECT = function(c)
  for i = 1, 3 do log("queued", c:publish("t", "m" .. i, 1, 0, function() log("puback") end)) end
end
]] .. connect, 5)
    local got = {}
    for ms in out:gmatch("(%d+)\tbroker%-got\t3") do got[#got + 1] = tonumber(ms) end
    emu.eq(#got, 3, out)
    emu.truthy(got[2] - got[1] >= 300 and got[3] - got[2] >= 300, table.concat(got, " "))
    emu.eq(#times(out, "puback"), 3, out)
  end)

  emu.test("firmware " .. profile .. ": an incoming QoS 2 PUBLISH is answered PUBREC, then PUBCOMP after PUBREL", function()
    local out = run(profile, P .. [[
function on_packet(s, t, p)
  if t == 5 then log("pubrec", p:byte(3) * 256 + p:byte(4)); s:send(string.char(0x62, 2, 0, 7)) end
  if t == 7 then log("pubcomp", p:byte(3) * 256 + p:byte(4)) end
end
ON_CONNECT = function(c)
  broker_sck:send(string.char(0x34, 8, 0, 1) .. "q" .. string.char(0, 7) .. "two")
end
]] .. connect, 5)
    emu.eq(times(out, "message")[1][2], "\tq\ttwo", out)
    emu.eq(times(out, "pubrec")[1][2], "\t7", out)
    emu.eq(times(out, "pubcomp")[1][2], "\t7", out)
  end)

  emu.test("firmware " .. profile .. ": a PUBLISH split across reads, even inside its length, arrives whole", function()
    local out = run(profile, P .. [[
ON_CONNECT = function(c)
  local p = string.char(0x30, 0x87, 0x01, 0, 1) .. "s" .. string.rep("y", 132)
  broker_sck:send(p:sub(1, 2))
  tmr.create():alarm(50, tmr.ALARM_SINGLE, function() broker_sck:send(p:sub(3, 40)) end)
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function() broker_sck:send(p:sub(41) .. string.char(0x30, 4, 0, 1) .. "n!") end)
end
]] .. connect, 5)
    local m = times(out, "message")
    emu.eq(#m, 2, out)
    emu.eq(m[1][2], "\ts\t" .. string.rep("y", 132))
    emu.eq(m[2][2], "\tn\t!")
  end)

  emu.test("firmware " .. profile .. ": a publish while a QoS 1 PUBLISH awaits its PUBACK " ..
    (profile == 3 and "waits" or "sends the waiting one again (no DUP)"), function()
    local out = run(profile, P .. [[
function on_packet(s, t, p)
  if t == 3 then
    log("publish-id", p:byte(6) * 256 + p:byte(7))
    local id = p:sub(6, 7)
    tmr.create():alarm(300, tmr.ALARM_SINGLE, function() s:send(string.char(0x40, 2) .. id) end)
  end
end
ON_CONNECT = function(c)
  c:publish("a", "1", 1, 0)
  tmr.create():alarm(100, tmr.ALARM_SINGLE, function() c:publish("b", "2", 1, 0) end)
end
]] .. connect, 3)
    local ids = {}
    for id in out:gmatch("publish%-id\t(%d+)") do ids[#ids + 1] = id end
    -- 1.x/2.x: the second copy of 1 is acknowledged too; that PUBACK (id 1) makes 2, by then
    -- at the head, go again.
    emu.eq(table.concat(ids, " "), profile == 3 and "1 2" or "1 1 2 2", out)
  end)

  if profile ~= 3 then
    emu.test("firmware " .. profile .. ": autoreconnect brings the session back after the broker drops it", function()
      local out = run(profile, P .. [[
connects = 0
ON_CONNECT = function(c)
  connects = connects + 1
  if connects == 1 then tmr.create():alarm(100, tmr.ALARM_SINGLE, function() broker_sck:close(); broker_sck = nil end) end
end
]] .. connect:gsub("secure, function", "secure, 1, function"), 5)
      emu.eq(#times(out, "connected"), 2, out)
      emu.eq(#times(out, "offline"), 1, out)
    end)
  end

  if profile ~= 1 then
    emu.test("firmware " .. profile .. ": a PUBLISH over max_message_length goes to overflow, the next to message", function()
      local out = run(profile, P .. [[
MAXLEN = 100
ON_CONNECT = function(c)
  local big = string.rep("x", 300)
  broker_sck:send(string.char(0x30, 0x80 + (3 + #big) % 128, math.floor((3 + #big) / 128), 0, 1) .. "b" .. big ..
    string.char(0x30, 8, 0, 1) .. "s" .. "small")
end
]] .. connect, 5)
      emu.eq(times(out, "overflow")[1][2], "\tb\t300", out)
      emu.eq(times(out, "message")[1][2], "\ts\tsmall", out)
    end)
  end
end
