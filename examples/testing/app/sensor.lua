-- sensor: samples the ADC on a timer and serves the running average over TCP. A small app
-- for the device (app/init.lua starts it), tested on a PC by ../sensor_spec.lua.
local M = {}

local samples, size = {}, 3

-- The average of the last `size` samples, or nil before the first one.
function M.average()
  if #samples == 0 then return nil end
  local sum = 0
  for _, v in ipairs(samples) do sum = sum + v end
  return sum / #samples
end

-- Samples adc.read(0) every `interval_ms`; on_sample(average) after each sample.
function M.start(interval_ms, on_sample)
  local timer = tmr.create()
  timer:alarm(interval_ms, tmr.ALARM_AUTO, function()
    samples[#samples + 1] = adc.read(0)
    if #samples > size then table.remove(samples, 1) end
    if on_sample then on_sample(M.average()) end
  end)
  return timer
end

-- A TCP server on `port`: any request gets "avg=N\n" (or "avg=none\n") and the connection closes.
function M.serve(port)
  local server = net.createServer(net.TCP, 30)
  server:listen(port, function(conn)
    conn:on("receive", function(c)
      local avg = M.average()
      c:send("avg=" .. (avg and string.format("%d", avg) or "none") .. "\n")
    end)
    conn:on("sent", function(c) c:close() end)
  end)
  return server
end

return M
