-- The device's boot script: sample every 10 s, serve the average on port 8266.
local sensor = require "sensor"
sensor.start(10000)
sensor.serve(8266)
