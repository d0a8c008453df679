-- emu.trace (lua/emu.lua loads this on first use): a recording of the device's trace events,
-- the ones --trace prints (docs/testing.md, "Recording the trace"):
--   local t = emu.trace()                 -- from now on; emu.trace{ peers = true } adds emu.peer's
--   ... run the app ...
--   t:find("recv", { obj = "tcp#2" })     -- the first matching record (and its index), or nil
--   t:wait("disconnect", nil, 5000)       -- runs the loop until one is recorded
--   t:sequence()                          -- { "srv#1 listen", "tcp#2 accept", ... }
--   t:stop()
-- A record is { t = ms on the Clock, obj = "tcp#2", ev = "recv", n = 5, ... }: the object,
-- the event and the event's fields, as a --trace=json line has them.
local native = require "emu.tracing"

local Recording = {}
Recording.__index = Recording

-- Converts the events recorded since the last call (each is converted once).
local function refresh(self)
  local new = self.rec:since(#self.list)
  for i = 1, #new do self.list[#self.list + 1] = new[i] end
  return self.list
end

local function matches(record, ev, match)
  if ev ~= nil and record.ev ~= ev then return false end
  if match then
    for k, v in pairs(match) do
      if record[k] ~= v then return false end
    end
  end
  return true
end

-- t:events([ev [, match]]): the records so far, oldest first; with ev (an event name, or nil
-- for any) and match (a table of fields that must be equal), only those.
function Recording:events(ev, match)
  local all = refresh(self)
  if ev == nil and match == nil then
    local copy = {}
    for i = 1, #all do copy[i] = all[i] end
    return copy
  end
  local found = {}
  for i = 1, #all do
    if matches(all[i], ev, match) then found[#found + 1] = all[i] end
  end
  return found
end

-- t:find(ev [, match [, from]]): the first matching record at index `from` (default 1) or
-- later, and its index; nil when there is none (yet).
function Recording:find(ev, match, from)
  local all = refresh(self)
  for i = from or 1, #all do
    if matches(all[i], ev, match) then return all[i], i end
  end
  return nil
end

-- t:count([ev [, match]]): how many records match.
function Recording:count(ev, match) return #self:events(ev, match) end

-- t:wait(ev [, match] [, timeout_ms]): runs the event loop until a matching record is there
-- (already recorded, or to come) and returns it with its index; nil and "timed out after N ms"
-- when none comes in timeout_ms (default 60000) on the Clock.
function Recording:wait(ev, match, timeout_ms)
  local record, index
  local ok, why = self.emu.run_until(function()
    record, index = self:find(ev, match)
    return record ~= nil
  end, timeout_ms)
  if not ok then return nil, why end
  return record, index
end

-- t:sequence([ev [, match]]): "obj ev" of each (matching) record, for emu.same on the order.
function Recording:sequence(ev, match)
  local lines = {}
  for i, r in ipairs(self:events(ev, match)) do lines[i] = r.obj .. " " .. r.ev end
  return lines
end

-- t:clear(): forgets what was recorded (recording goes on).
function Recording:clear()
  self.rec:clear()
  self.list = {}
end

-- t:stop(): records nothing more; what was recorded stays readable.
function Recording:stop() self.rec:stop() end

-- t:recording(): whether events are still being recorded.
function Recording:recording() return self.rec:recording() end

return function(opts, emu)
  if opts ~= nil and type(opts) ~= "table" then
    error("emu.trace: options must be a table, got " .. type(opts), 3)
  end
  return setmetatable({ rec = native.start(opts and opts.peers), list = {}, emu = emu }, Recording)
end
