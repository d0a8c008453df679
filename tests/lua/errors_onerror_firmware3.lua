-- args: --firmware=3
-- Errors in callbacks that 3.0 calls with luaL_pcallx go to node.setonerror's handler (1.5.4.1
-- and 2.2.1 call them with lua_call: a PANIC, tests/lua/tmr_errors.lua).
local emu = require "emu"

emu.async("an error in a trig callback goes to node.setonerror", function(done)
  gpio.mode(9, gpio.INT)
  node.setonerror(function(msg)
    emu.check(function() emu.contains(msg, "pin callback failed") end)
    node.setonerror()
    gpio.trig(9, "none")
    done()
  end)
  gpio.trig(9, "up", function() error("pin callback failed") end)
  emu_gpio.drive(9, 1)
end)

emu.async("an error in an event callback goes to node.setonerror (luaL_pcallx)", function(done)
  node.setonerror(function(msg)
    emu.check(function() emu.contains(msg, "boom from the callback") end)
    node.setonerror()
    for id = 0, wifi.eventmon.EVENT_MAX do wifi.eventmon.unregister(id) end
    wifi.sta.connect()
    done()
  end)
  wifi.eventmon.register(wifi.eventmon.STA_DISCONNECTED, function() error("boom from the callback") end)
  wifi.sta.disconnect()
end)
