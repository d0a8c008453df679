-- bench/mqtt_pub.lua PORT QOS COUNT: publish COUNT messages of 64 bytes to a broker on
-- 127.0.0.1:PORT and print "publishes/s <rate>" once the last one is done (QoS 0: sent; QoS 1:
-- PUBACK received), timed from the first publish. The loop of bench/mqtt_pub.js, for the device.
local port, qos, count = tonumber(arg[1]), tonumber(arg[2]), tonumber(arg[3])
local payload = string.rep("x", 64)
local m = mqtt.Client("bench-emu-" .. qos, 60)
m:connect("127.0.0.1", port, 0, function(c)
  local done, t0 = 0, tmr.now()
  for _ = 1, count do
    -- The firmware queues every publish and sends one at a time (docs/mqtt.md).
    c:publish("bench/emu", payload, qos, 0, function()
      done = done + 1
      if done == count then
        print(string.format("publishes/s %.0f", count / ((tmr.now() - t0) / 1e6)))
        c:close()
      end
    end)
  end
end, function(_, reason) print("connect failed", reason) end)
