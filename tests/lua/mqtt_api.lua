-- mqtt's Lua surface per firmware profile: what mqtt.Client accepts, the error texts of every
-- method (as app/modules/mqtt.c raises them), return values before and while connecting, the
-- constants. Each profile runs in a child emulator; the child prints, the case compares.
local emu = require "emu"

local function run(profile, script)
  local out, err, status = emu.run { args = { "--firmware=" .. profile, "--run-for", "5" }, script = script }
  emu.eq(status, 0, "stderr: " .. err)
  return out
end

-- Prints the error of f(...) (or "ok" and its results).
local probe = [[
function try(label, f, ...)
  local r = { pcall(f, ...) }
  if r[1] then print(label, "ok", tostring(r[2])) else print(label, r[2]) end
end
m = mqtt.Client("id", 120)
]]

emu.test("the constants are the firmware's", function()
  local out = run(2, [[
for _, k in ipairs { "CONN_FAIL_SERVER_NOT_FOUND", "CONN_FAIL_NOT_A_CONNACK_MSG", "CONN_FAIL_DNS",
  "CONN_FAIL_TIMEOUT_RECEIVING", "CONN_FAIL_TIMEOUT_SENDING", "CONNACK_ACCEPTED",
  "CONNACK_REFUSED_PROTOCOL_VER", "CONNACK_REFUSED_ID_REJECTED", "CONNACK_REFUSED_SERVER_UNAVAILABLE",
  "CONNACK_REFUSED_BAD_USER_OR_PASS", "CONNACK_REFUSED_NOT_AUTHORIZED" } do print(k, mqtt[k]) end
]])
  emu.eq(out, "CONN_FAIL_SERVER_NOT_FOUND\t-5\nCONN_FAIL_NOT_A_CONNACK_MSG\t-4\nCONN_FAIL_DNS\t-3\n" ..
    "CONN_FAIL_TIMEOUT_RECEIVING\t-2\nCONN_FAIL_TIMEOUT_SENDING\t-1\nCONNACK_ACCEPTED\t0\n" ..
    "CONNACK_REFUSED_PROTOCOL_VER\t1\nCONNACK_REFUSED_ID_REJECTED\t2\nCONNACK_REFUSED_SERVER_UNAVAILABLE\t3\n" ..
    "CONNACK_REFUSED_BAD_USER_OR_PASS\t4\nCONNACK_REFUSED_NOT_AUTHORIZED\t5\n")
end)

emu.test("2.x: before connect, publish/subscribe answer false; on() names and errors", function()
  local out = run(2, probe .. [[
try("publish", m.publish, m, "t", "x", 0, 0)
try("subscribe", m.subscribe, m, "t", 0)
try("unsubscribe", m.unsubscribe, m, "t")
try("close", m.close, m)
try("on-bogus", m.on, m, "bogus", print)
try("on-overflow", m.on, m, "overflow", print)
try("on-nofn", m.on, m, "message", 1)
try("on-connfail", m.on, m, "connfail", print)
try("lwt", m.lwt, m, "t")
try("self", m.publish, {}, "t", "x", 0, 0)
]])
  emu.eq(out, "publish\tok\tfalse\nsubscribe\tok\tfalse\nunsubscribe\tok\tfalse\nclose\tok\tfalse\n" ..
    "on-bogus\tmethod not supported\non-overflow\tok\tnil\n" ..
    "on-nofn\tbad argument #3 to '?' (function or lightfunction expected, got number)\n" ..
    "on-connfail\tmethod not supported\n" ..
    "lwt\tbad argument #3 to '?' (string expected, got no value)\n" ..
    "self\tbad argument #1 to '?' (mqtt.socket expected, got table)\n")
end)

emu.test("1.x has no overflow event", function()
  local out = run(1, probe .. [[try("on-overflow", m.on, m, "overflow", print)]])
  emu.eq(out, "on-overflow\tmethod not supported\n")
end)

emu.test("3.x: on() takes eight events, checks the function first; lwt's own messages", function()
  local out = run(3, probe .. [[
try("publish", m.publish, m, "t", "x", 0, 0)
try("subscribe", m.subscribe, m, "t", 0)
try("close", m.close, m)
try("on-bogus", m.on, m, "bogus", print)
try("on-nofn", m.on, m, "bogus", 1)
for _, e in ipairs { "connect", "connfail", "offline", "message", "overflow", "puback", "suback", "unsuback" } do
  try("on-" .. e, m.on, m, e, print)
end
try("lwt-topic", m.lwt, m, nil, "x")
try("lwt-msg", m.lwt, m, "t", {})
]])
  emu.eq(out, "publish\tnot connected\nsubscribe\tnot connected\nclose\tok\tnil\n" ..
    "on-bogus\tbad argument #2 to '?' (invalid option 'bogus')\n" ..
    "on-nofn\tbad argument #3 to '?' (function expected, got number)\n" ..
    "on-connect\tok\tnil\non-connfail\tok\tnil\non-offline\tok\tnil\non-message\tok\tnil\n" ..
    "on-overflow\tok\tnil\non-puback\tok\tnil\non-suback\tok\tnil\non-unsuback\tok\tnil\n" ..
    "lwt-topic\tbad argument #2 to '?' (need lwt topic)\nlwt-msg\tbad argument #3 to '?' (need lwt message)\n")
end)

for _, profile in ipairs { 1, 2, 3 } do
  emu.test("firmware " .. profile .. ": while connecting, publish raises 'not connected'; connect twice is allowed until TCP is up", function()
    local srv = profile == 3 and "net.createServer(28800)" or "net.createServer(net.TCP, 28800)"
    local out = run(profile, probe .. [[
srv = ]] .. srv .. [[
local port = ]] .. emu.free_port("tcp") .. [[ -- 1.5.4.1's servers have no getaddr
srv:listen(port, function() end)
print("connect", m:connect("127.0.0.1", port, function() end))
try("publish", m.publish, m, "t", "x", 0, 0)
try("secure", m.connect, m, "127.0.0.1", port, ]] .. (profile == 3 and "true" or "1") .. [[)
tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
  try("again", m.connect, m, "127.0.0.1", port)
  srv:close()
  m:close()
end)
]])
    emu.contains(out, profile == 3 and "connect\n" or "connect\ttrue\n")
    emu.contains(out, "publish\tnot connected\n")
    emu.contains(out, "secure\tssl not available\n")
    emu.contains(out, "again\talready connected\n")
  end)
end

emu.test("subscribe's table form: topic = qos pairs; an empty table has no topics", function()
  local out = run(2, probe .. [[
srv = net.createServer(net.TCP, 28800)
srv:listen(0, function(c)
  c:on("receive", function(s, d)
    local t = d:byte(1)
    if t == 0x10 then s:send(string.char(0x20, 2, 0, 0)) end
    if t == 0x82 then print("SUBSCRIBE", #d, d:byte(3) * 256 + d:byte(4)); s:send(string.char(0x90, 4, d:byte(3), d:byte(4), 0, 1)) end
  end)
end)
m:connect("127.0.0.1", (srv:getaddr()), function(c)
  try("empty", c.subscribe, c, {})
  try("numeric", c.subscribe, c, { "a" })
  try("long", c.subscribe, c, { [string.rep("x", 1500)] = 0 })
  try("table", c.subscribe, c, { a = 0, b = 1 }, function() print("suback"); srv:close(); c:close() end)
end)
]])
  emu.contains(out, "empty\tno topics found\n")
  emu.contains(out, "numeric\tinvalid key to 'next'\n")
  emu.contains(out, "long\tbuffer overflow, can't enqueue all subscriptions\n")
  emu.contains(out, "table\tok\ttrue\n")
  emu.contains(out, "SUBSCRIBE\t12\t")
  emu.contains(out, "suback\n")
end)
