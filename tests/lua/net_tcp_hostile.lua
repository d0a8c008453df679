-- args: --host-libs
-- net TCP against hostile peers, in process under virtual time (the peer is another socket of
-- this device, so it keeps pace with the clock exactly): a peer that never reads, a slowloris,
-- a peer that resets while the device is sending. Real peers (10 000 connects past the limit,
-- half-close, SO_LINGER 0 resets, the 2921-byte burst at the echo one-liner) are in
-- tests/hostile/drive.py, in real time.
local emu = require "emu"

local CHUNK = string.rep("s", 1460)
local live_before

emu.test("(live native objects counted before the hostile cases)", function()
  collectgarbage()
  collectgarbage()
  live_before = emu.live_objects()
end)

-- VmRSS of this process in KiB (the emulator itself: the device's buffers are native memory).
local function rss_kb()
  local f = io.open("/proc/self/status")
  if not f then return nil end
  local text = f:read("*a")
  f:close()
  return tonumber(text:match("VmRSS:%s*(%d+)"))
end

-- A server that streams CHUNKs to each client, the next one from "sent", and records what happens.
local function streaming_server(timeout, log)
  local srv = net.createServer(net.TCP, timeout)
  srv:listen(0, function(c)
    log.accepted = tmr.now()
    c:on("sent", function(s)
      log.sent_bytes = log.sent_bytes + #CHUNK
      log.sent_calls = log.sent_calls + 1
      log.last_sent = tmr.now()
      if log.sent_bytes < (log.limit or math.huge) then s:send(CHUNK) end
    end)
    c:on("disconnection", function(_, err)
      log.err, log.dropped = err, tmr.now()
      if log.on_drop then log.on_drop() end
    end)
    c:on("reconnection", function(_, err)
      log.err, log.dropped = err, tmr.now()
      if log.on_drop then log.on_drop() end
    end)
    c:send(CHUNK)
  end)
  return srv
end

emu.async("a peer that never reads: sent stops, memory stays flat, the idle timeout drops it", function(done)
  local log = { sent_bytes = 0, sent_calls = 0 }
  local rss0, lua0 = rss_kb(), collectgarbage("count")
  local srv = streaming_server(30, log)
  local cl = net.createConnection()
  local client_end
  cl:on("connection", function(s) s:hold() end) -- and never unhold
  cl:on("receive", function() end)
  cl:on("disconnection", function(_, err) client_end = err end)
  cl:on("reconnection", function(_, err) client_end = err end)
  log.on_drop = function()
    -- A held socket hears the reset at once (an error-only wait), as lwIP reports an RST
    -- whatever the window; unhold() changes nothing then.
    cl:unhold()
    tmr.create():alarm(100, tmr.ALARM_SINGLE, function()
      emu.check(function()
        emu.eq(log.err, -8, "the server's connection ends by its timeout")
        local idle = (log.dropped - log.last_sent) / 1e6
        emu.truthy(idle >= 30 and idle < 30.1, "dropped 30 s after the last sent, got " .. idle .. " s")
        -- The host's socket buffers take a few MB at most, then "sent" stops for good.
        emu.truthy(log.sent_bytes > 2920, "some data was taken (" .. log.sent_bytes .. ")")
        emu.truthy(log.sent_bytes < 64 * 1024 * 1024, "sent stopped, after " .. log.sent_bytes .. " bytes")
        emu.truthy(collectgarbage("count") - lua0 < 512, "the Lua heap stayed flat")
        local rss1 = rss_kb()
        -- (not in sanitizer builds: ASan's quarantine keeps freed memory)
        if rss0 and rss1 and os.getenv("NODEMCU_EMU_SANITIZED") ~= "1" then
          emu.truthy(rss1 - rss0 < 16 * 1024, "RSS grew " .. (rss1 - rss0) .. " KiB")
        end
        emu.eq(client_end, -9, "the peer sees the reset")
        print(string.format("    (the host took %d bytes in %d sends before sent stopped)",
          log.sent_bytes, log.sent_calls))
      end)
      pcall(cl.close, cl)
      srv:close()
      done()
    end)
  end
  cl:connect(srv:getaddr(), "127.0.0.1")
end, 600000)

emu.async("a slowloris (1 byte every 20 s) is served byte by byte, then dropped 30 s after its last byte", function(done)
  local frames, last_rx, dropped, err = {}, nil, nil, nil
  local srv = net.createServer(net.TCP, 30)
  srv:listen(0, function(c)
    c:on("receive", function(_, d)
      frames[#frames + 1] = d
      last_rx = tmr.now()
    end)
    c:on("disconnection", function(_, e) dropped, err = tmr.now(), e end)
  end)
  local cl = net.createConnection()
  local drip = tmr.create()
  local dripped = 0
  cl:on("connection", function(s)
    drip:alarm(20000, tmr.ALARM_AUTO, function(t)
      dripped = dripped + 1
      s:send(string.char(64 + dripped))
      if dripped == 30 then t:unregister() end -- then silent, still connected
    end)
  end)
  cl:on("reconnection", function()
    emu.check(function()
      emu.eq(#frames, 30, "one receive per byte")
      emu.eq(table.concat(frames), "ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^", "every byte, in order")
      emu.eq(err, -8, "the timeout drops it")
      local idle = (dropped - last_rx) / 1e6
      emu.truthy(idle >= 30 and idle < 30.1, "dropped " .. idle .. " s after its last byte")
      emu.truthy(last_rx / 1e6 >= 600, "kept for 600 s while it dripped")
    end)
    srv:close()
    done()
  end)
  cl:connect(srv:getaddr(), "127.0.0.1")
end, 1200000)

emu.async("a peer that resets while the device sends: one disconnection, no sent after it, the server goes on", function(done)
  local log = { sent_bytes = 0, sent_calls = 0, limit = 200 * 1460 }
  local srv = streaming_server(30, log)
  local port = srv:getaddr()
  local got = 0
  local cl = net.createConnection()
  cl:on("receive", function(s, d)
    got = got + #d
    -- close() inside receive with data still coming: the connection is reset (docs/net.md).
    if got >= 20000 then s:close() end
  end)
  local drops = 0
  log.on_drop = function()
    drops = drops + 1
    local calls_at_drop = log.sent_calls
    tmr.create():alarm(1000, tmr.ALARM_SINGLE, function()
      emu.check(function()
        emu.eq(drops, 1, "one disconnection")
        emu.eq(log.err, -9, "seen as a reset")
        emu.eq(log.sent_calls, calls_at_drop, "no sent after the reset")
        emu.truthy(log.sent_bytes < log.limit, "the stream was cut short")
      end)
      -- The server still serves: a new client gets its data.
      local fresh = net.createConnection()
      local fresh_got = 0
      log.on_drop = function() end
      fresh:on("receive", function(s, d)
        fresh_got = fresh_got + #d
        if fresh_got >= 1460 then
          fresh_got = -math.huge
          node.task.post(function() -- close outside receive: no reset, no warning
            -- done once the server's side of this connection has ended too
            log.on_drop = function()
              srv:close()
              done()
            end
            s:close()
          end)
        end
      end)
      fresh:connect(port, "127.0.0.1")
    end)
  end
  cl:connect(port, "127.0.0.1")
end, 600000)

emu.async("a held socket learns of a reset at once, as lwIP reports an RST whatever the window", function(done)
  local srv = net.createServer(net.TCP, 30)
  srv:listen(0, function(c)
    c:on("receive", function(s) s:close() end) -- close() inside receive: a reset
  end)
  local seen
  local cl = net.createConnection()
  cl:on("connection", function(s)
    s:hold()
    s:send("x")
  end)
  cl:on("reconnection", function(_, err) seen = err end)
  cl:on("disconnection", function(_, err) seen = err end)
  cl:connect(srv:getaddr(), "127.0.0.1")
  tmr.create():alarm(2000, tmr.ALARM_SINGLE, function()
    local ok, err = pcall(emu.eq, seen, -9, "the held client's event within 2 s")
    pcall(cl.close, cl)
    srv:close()
    done(not ok and err or nil)
  end)
end)

emu.test("no native object is left behind by the hostile cases", function()
  collectgarbage()
  collectgarbage()
  emu.eq(emu.live_objects(), live_before, "live native objects")
end)
