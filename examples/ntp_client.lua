-- An NTP-style request/response over UDP, with the time server played by a second socket in
-- the same script (the emulator never reaches the real network in examples or tests).
-- Usage: nodemcu-emu examples/ntp_client.lua
-- The client part is what a device script does against pool.ntp.org:123: one 48-byte request,
-- one 48-byte answer whose transmit timestamp (seconds since 1900) gives the time.
local NTP_UNIX_OFFSET = 2208988800  -- seconds from 1900-01-01 to 1970-01-01

-- Big-endian 32-bit integer at byte `i` of `s`.
local function u32(s, i)
  local a, b, c, d = s:byte(i, i + 3)
  return ((a * 256 + b) * 256 + c) * 256 + d
end
local function be32(n)
  return string.char(math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
    math.floor(n / 256) % 256, n % 256)
end

-- The device has no os library (no os.time): the "time server" counts from a fixed instant,
-- 2024-01-01 00:00:00 UTC, plus the seconds since boot.
local SERVER_EPOCH_UNIX = 1704067200
local function server_now() return SERVER_EPOCH_UNIX + tmr.time() end

-- The "time server": answers mode-3 requests with mode 4, stratum 2, its clock.
local server = net.createUDPSocket()
server:on("receive", function(sck, request, port, ip)
  if #request ~= 48 or request:byte(1) % 8 ~= 3 then return end  -- not a client request
  local now = server_now() + NTP_UNIX_OFFSET
  local reply = string.char(0x24, 2, 6, 0xEC)   -- LI 0, VN 4, mode 4; stratum 2; poll; precision
      .. string.rep("\0", 8)                     -- root delay, root dispersion
      .. "EMU\0"                                 -- reference id
      .. be32(now) .. be32(0)                    -- reference timestamp
      .. request:sub(41, 48)                     -- originate = the client's transmit timestamp
      .. be32(now) .. be32(0)                    -- receive timestamp
      .. be32(now) .. be32(0)                    -- transmit timestamp
  sck:send(port, ip, reply)
end)
server:listen(0)
local server_port = server:getaddr()
print("time server on port", server_port)

-- The client, as on the device.
local client = net.createUDPSocket()
local asked_at
local give_up = tmr.create()
client:on("receive", function(sck, reply)
  give_up:unregister()
  local rtt_ms = (tmr.now() - asked_at) / 1000
  local seconds = u32(reply, 41) - NTP_UNIX_OFFSET
  print(string.format("stratum %d, server time %d (Unix seconds), round trip %.3f ms",
    reply:byte(2), seconds, rtt_ms))
  sck:close()
  server:close()
end)
-- LI 0, VN 4, mode 3 (client), the rest zero but for our transmit timestamp.
local request = string.char(0x23) .. string.rep("\0", 39) .. be32(NTP_UNIX_OFFSET) .. be32(0)
asked_at = tmr.now()
client:send(server_port, "127.0.0.1", request)
-- UDP may lose the answer: a device script gives up (or retries) after a while.
give_up:alarm(2000, tmr.ALARM_SINGLE, function()
  print("no answer")
  client:close()
  server:close()
end)
