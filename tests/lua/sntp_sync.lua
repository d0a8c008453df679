-- sntp.sync against an NTP server of the test's own: each case runs a device (a second
-- emulator, virtual time) whose script plays the server on device port 123, which
-- --port-map sends to a free host port; names resolve only through --hosts.
local emu = require "emu"

local free_port = emu.free_port

local hosts = emu.tmpname()
emu.write(hosts, "127.0.0.1 ntp.test 0.nodemcu.pool.ntp.org 1.nodemcu.pool.ntp.org\n" ..
  "127.0.0.1 2.nodemcu.pool.ntp.org 3.nodemcu.pool.ntp.org\n")

-- The server: `mode` good (server time SERVER_TIME s past 1970, plus the device's uptime),
-- garbage (a wrong cookie and a short datagram), silent. It counts the requests.
local server = [[
SERVER_TIME = 1700000000
requests = 0
local function be32(n)
  return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
    math.floor(n / 256) % 256, n % 256)
end
local srv = net.createUDPSocket()
srv:on("receive", function(s, req, port, ip)
  requests = requests + 1
  if MODE == "silent" then return end
  if MODE == "garbage" then
    s:send(port, ip, string.rep("x", 48))
    s:send(port, ip, "short")
    return
  end
  local t = be32(SERVER_TIME + 2208988800 + math.floor(tmr.now() / 1000000)) .. be32(0)
  -- LI 0, VN 4, mode 4, stratum 1; root delay 1/16 s, dispersion 1/8 s; origin = the cookie
  s:send(port, ip, string.char(0x24, 1, 0, 0) .. be32(4096) .. be32(8192) .. "GPS\0" ..
    t .. req:sub(41, 48) .. t .. t)
end)
srv:listen(123)
]]

local function run(mode, body, args)
  local port = free_port()
  local all = { "--idle-grace", "200", "--hosts", hosts, "--port-map", "123=" .. port }
  for _, a in ipairs(args or {}) do all[#all + 1] = a end
  local out, err, status = emu.run { args = all, script = "MODE = '" .. mode .. "'\n" .. server .. body }
  emu.eq(status, 0, "stderr: " .. err)
  return out
end

local report = [[
local function ok(sec, usec, ip, info)
  local keys = {}
  for k, v in pairs(info) do keys[#keys + 1] = k .. "=" .. v end
  table.sort(keys)
  print("sync", sec, usec, ip, table.concat(keys, " "), requests, tmr.now())
  print("rtc", rtctime.get())
end
local function fail(code, detail) print("error", code, tostring(detail), requests, tmr.now()) end
]]

emu.test("a good answer sets rtctime to the server's time and reports offset and server", function()
  local out = run("good", report .. [[
sntp.sync("127.0.0.1", function(...) ok(...); srv:close() end, fail)
]])
  emu.eq(out, "sync\t1700000000\t0\t127.0.0.1\tleap=0 offset_s=1700000000 pending_leap=0 " ..
    "root_delay_us=62500 root_dispersion_us=125000 root_maxerr_us=156250 stratum=1\t5\t0\n" ..
    "rtc\t1700000000\t0\t0\n")
end)

emu.test("the time then moves with the clock: an hour later rtctime is exactly an hour on", function()
  local out = run("good", [[
sntp.sync("ntp.test", function()
  srv:close()
  tmr.create():alarm(3600000, tmr.ALARM_SINGLE, function() print(rtctime.get()) end)
end)
]])
  emu.eq(out, "1700003600\t0\t0\n")
end)

emu.test("a silent server: 5 requests 1 s apart, then error 4 (timeout) with nil at 5 s", function()
  local out = run("silent", report .. [[
sntp.sync("127.0.0.1", ok, function(...) fail(...); srv:close() end)
]])
  emu.eq(out, "error\t4\tnil\t5\t5000000\n")
end)

emu.test("garbage answers (wrong cookie, short) are ignored: a timeout like silence", function()
  local out = run("garbage", report .. [[
sntp.sync("127.0.0.1", ok, function(...) fail(...); srv:close() end)
]])
  emu.eq(out, "error\t4\tnil\t5\t5000000\n")
end)

emu.test("no server given: the four nodemcu pool names, two rounds of 8 requests", function()
  local out = run("good", [[
sntp.sync(nil, function(sec, usec, ip) print(sec, ip, requests); srv:close() end)
]])
  emu.eq(out, "1700000000\t127.0.0.1\t8\n")
end)

emu.test("2.x: a name that does not resolve leaves no server: error 4 at once", function()
  local out = run("good", report .. [[
sntp.sync("nowhere.test", ok, function(...) fail(...); srv:close() end)
]])
  emu.eq(out, "error\t4\tnil\t0\t0\n")
end)

emu.test("3.0: a name that does not resolve is error 1 (DNS) with the name", function()
  local out = run("good", report .. [[
sntp.sync("nowhere.test", ok, function(...) fail(...); srv:close() end)
]], { "--firmware=3" })
  emu.eq(out, "error\t1\tnowhere.test\t0\t0\n")
end)

emu.test("a list where no name resolves is error 1 naming the first", function()
  local out = run("good", report .. [[
sntp.sync({"a.invalid", "b.invalid"}, ok, function(...) fail(...); srv:close() end)
]])
  emu.eq(out, "error\t1\ta.invalid\t0\t0\n")
end)

emu.test("autorepeat syncs again every 1000 s with the same callbacks", function()
  local out = run("good", [[
local n = 0
sntp.sync("127.0.0.1", function(sec)
  n = n + 1
  print(n, sec, tmr.time())
  if n == 3 then srv:close(); sntp.sync("0.0.0.0") end  -- a new sync() ends the repeat
end, nil, 1)
]], { "--run-for", "3500" })
  emu.eq(out, "1\t1700000000\t0\n2\t1700001000\t1000\n3\t1700002000\t2000\n")
end)

emu.test("a callback error is a panic at 2.x (lua_call) and goes to the error handler at 3.0", function()
  local body = [[sntp.sync("127.0.0.1", function() srv:close(); error("boom") end)]]
  local port = free_port()
  local _, err2, status2 = emu.run { args = { "--idle-grace", "200", "--port-map", "123=" .. port },
    script = "MODE='good'\n" .. server .. body }
  emu.eq(status2, 1)
  emu.contains(err2, "boom")
  local out3, _, status3 = emu.run { args = { "--idle-grace", "200", "--port-map", "123=" .. port,
    "--firmware=3", "--on-error=continue" },
    script = "MODE='good'\n" .. server .. "node.setonerror(function(e) print('handled', e:match('boom')) end)\n" .. body }
  emu.eq(status3, 0)
  emu.contains(out3, "handled\tboom")
end)

emu.test("remove the hosts file", function() emu.remove(hosts) end)
