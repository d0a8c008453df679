-- One dispatch for every callback: the callback and its arguments are pushed inside the
-- protected call, so running out of memory while pushing them is an error in that callback
-- (reported, then --on-error decides), never the panic handler ending the process.
local emu = require "emu"

-- The child fills its heap (--heap) until a 1460-byte receive frame cannot be pushed, with a
-- receive handler that allocates nothing itself.
local child = [[
local emu = require "emu"
local frames = 0
local srv = net.createServer(net.TCP, 30)
srv:listen(0, function(c) c:on("receive", function() frames = frames + 1 end) end)
local port = srv:getaddr()
local cli = net.createConnection(net.TCP, 0)
local done = tmr.create()
done:register(1000, tmr.ALARM_SINGLE, function()
  emu.release_heap()
  print("survived", frames)
  cli:close()
  srv:close()
end)
cli:on("connection", function(c)
  -- Sent, then dropped before the heap fills: Lua interns strings, and a frame equal to a live
  -- string would be pushed without allocating.
  c:send(("x"):rep(1460))
  emu.squeeze_heap(0)
  done:start()
end)
cli:connect(port, "127.0.0.1")
]]

emu.test("out of memory while pushing a receive frame is a PANIC that --on-error=continue survives", function()
  local out, err, status = emu.run({ script = child, args = { "--heap", "200000", "--on-error=continue" } })
  emu.contains(err, "PANIC: unprotected error in call to Lua API (not enough memory)", "stderr")
  emu.contains(out, "survived\t0", "stdout")
  emu.eq(status, 0, "exit status")
end)

emu.test("under the default --on-error=panic the same failure ends the run with status 1", function()
  local out, err, status = emu.run({ script = child, args = { "--heap", "200000" } })
  emu.contains(err, "not enough memory", "stderr")
  emu.lacks(out, "survived", "stdout")
  emu.eq(status, 1, "exit status")
end)
