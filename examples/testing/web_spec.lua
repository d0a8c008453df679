-- args: --fs app --adc 700 --port-map 80=0
-- Tests for app/web.lua with in-process peers: emu.peer.tcp plays the HTTP client,
-- emu.peer.listen the collector the app pushes to. Their reads run the event loop, so the app
-- answers while the test waits. Run: build/nodemcu-emu --test examples/testing
-- --port-map 80=0 serves the app's port 80 on a free host port: the app and the test both say
-- 80, and other spec files may run beside this one.
local emu = require "emu"
local sensor = require "sensor"
local web = require "web"

-- One request from a fresh client to the app's port 80; returns the status line and the body.
local function get(path)
  local c = emu.peer.tcp("127.0.0.1", 80)
  c:send("GET " .. path .. " HTTP/1.0\r\nHost: sensor\r\n\r\n")
  local head = assert(c:receive_until("\r\n\r\n", 5000))
  local body = assert(c:receive_all(5000))   -- the app closes after its answer
  c:close()
  return head:match("^[^\r]*"), body
end

emu.test("GET /average before the first sample gives null", function()
  local server = web.serve(80)
  local status, body = get("/average")
  server:close()
  emu.eq(status, "HTTP/1.0 200 OK")
  emu.eq(body, '{"average":null}')
end)

emu.test("GET /average after a sample gives the ADC's reading", function()
  local timer = sensor.start(10000)
  emu.advance(10000)                          -- one sample, on the virtual clock
  timer:unregister()
  local server = web.serve(80)
  local _, body = get("/average")
  server:close()
  emu.eq(body, '{"average":700}')
end)

emu.test("a request that arrives in pieces is answered once its headers are complete", function()
  local server = web.serve(80)
  local c = emu.peer.tcp("127.0.0.1", 80)
  c:send("GET /nothing HT")
  emu.same({ c:receive(1, 1000) }, { nil, "timed out after 1000 ms", "" }, "no answer yet")
  c:send("TP/1.0\r\n\r\n")
  emu.eq(assert(c:receive_until("\r\n", 5000)), "HTTP/1.0 404 Not Found\r\n")
  server:close()
  c:close()
end)

emu.test("a client that never sends is dropped after the server's 30 s timeout", function()
  local server = web.serve(80)
  local c = emu.peer.tcp("127.0.0.1", 80)
  local t0 = emu.now()
  emu.same({ c:wait_closed(60000) }, { true, "reset" })
  emu.eq(emu.now() - t0, 30000, "ms on the Clock (milliseconds of wall time)")
  server:close()
  c:close()
end)

emu.test("the app pushes the average to the collector, and the trace shows the exchange", function()
  local t = emu.trace()
  local collector, port = emu.peer.listen()
  local result
  web.push("127.0.0.1", port, function(ok) result = ok end)
  local c = assert(collector:accept(5000))
  emu.eq(assert(c:receive_until("\n", 5000)), "average=700\n")
  emu.same({ c:wait_closed(5000) }, { true, "closed" })
  emu.eq(result, true)
  local conn = t:find("connect").obj          -- the app's socket, e.g. "tcp#4"
  emu.same(t:sequence(nil, { obj = conn }),
    { conn .. " connect", conn .. " connected", conn .. " send", conn .. " sent", conn .. " close" })
  t:stop()
  c:close()
  collector:close()
end)
