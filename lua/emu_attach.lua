-- emu.attach (lua/emu.lua loads this on first use): simulated devices on the board
-- (docs/peripherals.md). The spec is --attach's:
--   local bme = emu.attach("i2c:0x76=bme280", { temperature = 21.5 })
--   local bme = emu.attach{ bus = "i2c", address = 0x76, model = "bme280", temperature = 21.5 }
-- or a model written in Lua, a table whose methods the bus calls (start/write/read/stop on
-- i2c, select/transfer on spi):
--   local chip = emu.attach{ bus = "i2c", address = 0x20, model = { write = function(self, b) ... end } }
-- The handle: h:state() (readings, registers, memory; a Lua model's own table),
-- h:set("temperature", 30) or h:set{ temperature = 30 }, h:script("temperature",
-- {{0, 20}, {60, 25}}, "linear" | "step") (seconds from now on the Clock), h:detach();
-- h.at ("i2c:0x76") and h.kind ("bme280").
local native = require "emu.board"

local Attachment = {}
Attachment.__index = Attachment
function Attachment:state() return native.state(self.id) end
function Attachment:set(name, value)
  if type(name) == "table" then
    for k, v in pairs(name) do native.set(self.id, k, v) end
  else
    native.set(self.id, name, value)
  end
end
function Attachment:script(name, frames, shape) native.script(self.id, name, frames, shape) end
function Attachment:detach() return native.detach(self.id) end

local spec_keys = { bus = true, index = true, address = true, model = true, param = true, multi_drop = true }

return function(spec, options)
  local id
  if type(spec) == "table" then
    assert(type(spec.bus) == "string", "emu.attach: bus (a string) is needed")
    if type(spec.model) == "table" then
      id = native.attach_lua(spec.bus, spec.index, spec.address, spec.model, spec.multi_drop)
    else
      assert(type(spec.model) == "string", "emu.attach: model is a kind's name or a table")
      local text = spec.bus .. (spec.index and ("." .. spec.index) or "") ..
          (spec.address and (":" .. spec.address) or "") .. "=" .. spec.model ..
          (spec.param and (":" .. spec.param) or "")
      local opts = {}
      for k, v in pairs(spec) do
        if not spec_keys[k] then opts[k] = v end
      end
      id = native.attach(text, opts)
    end
  else
    id = native.attach(spec, options)
  end
  local at, kind = native.where(id)
  return setmetatable({ id = id, at = at, kind = kind }, Attachment)
end
