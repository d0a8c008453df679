-- Sync the RTC with sntp, then print the time every minute.
-- The NTP server is played by this script itself (device port 123), so nothing leaves the
-- machine:
--   nodemcu-emu --virtual-time --idle-grace 200 --port-map 123=12300 --run-for 300 examples/sntp_clock.lua
-- (--port-map sends sntp's requests for port 123 to host port 12300, where this script's
-- server listens). With a hosts file naming a server, e.g. "127.0.0.1 ntp.local", add
-- --hosts FILE and sync("ntp.local"); drop the server below to use a real local NTP daemon
-- on port 12300 instead.
local SERVER_TIME = 1700000000  -- the time this toy server hands out at boot

local function be32(n)
  return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
    math.floor(n / 256) % 256, n % 256)
end

local server = net.createUDPSocket()
server:on("receive", function(s, request, port, ip)
  if #request < 48 then return end
  local now = be32(SERVER_TIME + 2208988800 + math.floor(tmr.now() / 1000000)) .. be32(0)
  -- LI 0, version 4, mode 4 (server), stratum 1; origin = the request's transmit timestamp
  s:send(port, ip, string.char(0x24, 1, 0, 0) .. be32(0) .. be32(0) .. "LOCL" ..
    now .. request:sub(41, 48) .. now .. now)
end)
server:listen(123)

local function show()
  local t = rtctime.epoch2cal(rtctime.get())
  print(string.format("%04d-%02d-%02d %02d:%02d:%02d UTC", t.year, t.mon, t.day, t.hour, t.min, t.sec))
end

sntp.sync("127.0.0.1", function(sec, usec, ip, info)
  print("synced with " .. ip .. ", offset " .. (info.offset_s or info.offset_us / 1e6) .. " s")
  server:close()
  show()
  tmr.create():alarm(60000, tmr.ALARM_AUTO, show)
end, function(code, detail)
  print("sntp failed: " .. code .. " " .. tostring(detail))
  server:close()
end)
