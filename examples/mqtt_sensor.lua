-- The typical MQTT sensor: wait for the station's IP, connect to the broker, publish a reading
-- every 10 s, and act on commands ("led on", "led off", "interval <s>") sent to a topic of its
-- own. The will tells the broker to announce "offline" if the device vanishes.
-- Usage (a local broker: `mosquitto -p 1883`, or any on 127.0.0.1):
--   nodemcu-emu examples/mqtt_sensor.lua
--   mosquitto_sub -t 'sensor/#' -v                        (watch the readings)
--   mosquitto_pub -t sensor/NodeMCU_a1b2c3/cmd -m 'led on'    (command the device)
local BROKER, PORT = "127.0.0.1", 1883
local id = "NodeMCU_" .. string.format("%x", node.chipid())
local base = "sensor/" .. id .. "/"
local LED = 4
local interval = 10
local reading = tmr.create()

gpio.mode(LED, gpio.OUTPUT)

local m = mqtt.Client(id, 60)
m:lwt(base .. "status", "offline", 1, 1)

local function publish_reading()
  -- The ADC stands in for a temperature sensor: 0..1024 -> 0..50 degrees.
  local celsius = adc.read(0) * 50 / 1024
  m:publish(base .. "temperature", string.format("%.1f", celsius), 0, 0)
end

m:on("message", function(client, topic, data)
  print("command:", data)
  if data == "led on" then gpio.write(LED, gpio.HIGH)
  elseif data == "led off" then gpio.write(LED, gpio.LOW)
  else
    local s = tonumber((data or ""):match("^interval (%d+)$"))
    if s and s > 0 then
      interval = s
      reading:interval(interval * 1000)
    end
  end
  client:publish(base .. "ack", data or "", 0, 0)
end)

local connect
m:on("offline", function()
  print("offline: reconnecting in 5 s")
  reading:stop()
  tmr.create():alarm(5000, tmr.ALARM_SINGLE, connect)
end)

function connect()
  m:connect(BROKER, PORT, 0, function(client)
    print("connected to " .. BROKER .. ":" .. PORT .. " as " .. id)
    client:publish(base .. "status", "online", 1, 1)
    client:subscribe(base .. "cmd", 1, function() print("listening on " .. base .. "cmd") end)
    publish_reading()
    reading:alarm(interval * 1000, tmr.ALARM_AUTO, publish_reading)
  end, function(client, reason)
    print("connect failed (" .. reason .. "): retrying in 5 s")
    tmr.create():alarm(5000, tmr.ALARM_SINGLE, connect)
  end)
end

-- Nothing network-related before the station has an address.
wifi.eventmon.register(wifi.eventmon.STA_GOT_IP, function(t)
  wifi.eventmon.unregister(wifi.eventmon.STA_GOT_IP)
  print("got IP " .. t.IP)
  connect()
end)
