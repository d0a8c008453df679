-- args: --limits igmp=2
-- The IGMP group table (MEMP_NUM_IGMP_GROUP, --limits igmp=N): a join past it is ignored, as
-- igmp_joingroup's ERR_MEM is by net.c (spec net.md 8, 10).
local emu = require "emu"

local _, probe_err = emu.run({ script = [[
  local s = net.createUDPSocket()
  s:listen(0)
  net.multicastJoin("any", "239.255.77.2")
  s:close()
]] })
local multicast_ok = not probe_err:find("refused multicast", 1, true)

emu.test("a join past the limit raises nothing", function()
  net.multicastJoin("any", "239.255.20.1")
  net.multicastJoin("any", "239.255.20.2")
  net.multicastJoin("any", "239.255.20.3")  -- table full: ignored
  net.multicastJoin("any", "239.255.20.1")  -- already a member: only counted
end)

if multicast_ok then
  emu.async("with --limits igmp=2 the third group is not joined; leaving one frees a slot", function(done)
    local rx = net.createUDPSocket()
    local got = {}
    rx:on("receive", function(_, data) got[#got + 1] = data end)
    rx:listen(0) -- a free port: group datagrams reach every socket on a port
    local PORT = rx:getaddr()
    local tx = net.createUDPSocket()
    for g = 1, 3 do tx:send(PORT, "239.255.20." .. g, "g" .. g) end
    tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
      emu.check(function()
        table.sort(got)
        emu.same(got, { "g1", "g2" })
      end)
      net.multicastLeave("any", "239.255.20.2")
      net.multicastJoin("any", "239.255.20.3")
      got = {}
      tx:send(PORT, "239.255.20.3", "now")
      tmr.create():alarm(50, tmr.ALARM_SINGLE, function()
        emu.check(function() emu.same(got, { "now" }) end)
        rx:close()
        tx:close()
        done()
      end)
    end)
  end)
else
  emu.skip("IGMP limit delivery", "this host has no multicast on loopback")
end
