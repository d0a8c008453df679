-- args: --hosts fixtures/hosts
-- What a dns callback receives, alike for sck:dns on TCP and UDP sockets, the "dns" handler of a
-- TCP connect() and net.dns.resolve: net.c's net_dns_cb and net_dns_static_cb (2.2.1 and 3.0)
-- turn "not found" into 0xFFFFFFFF and push nil for 0xFFFFFFFF, so an answer of
-- 255.255.255.255 (broadcast.test in fixtures/hosts) is a failure as well.
local emu = require "emu"

-- Asks `name` the four ways; calls back with what each got once all have answered.
local function ask_all(name, finish)
  local got, left = {}, 4
  local function answer(way, ip)
    got[way] = ip == nil and "nil" or ip
    left = left - 1
    if left == 0 then finish(got) end
  end
  local tcp = net.createConnection()
  tcp:dns(name, function(_, ip) answer("tcp", ip) end)
  local udp = net.createUDPSocket()
  udp:dns(name, function(_, ip) answer("udp", ip) end)
  net.dns.resolve(name, function(_, ip) answer("resolve", ip) end)
  local conn = net.createConnection()
  conn:on("dns", function(sck, ip)
    sck:close()  -- before it connects anywhere
    answer("connect", ip)
  end)
  conn:connect(80, name)
end

local cases = {
  { "an answer of 255.255.255.255 reaches every dns callback as nil", "broadcast.test", "nil" },
  { "a name that does not resolve reaches every dns callback as nil", "nowhere.test", "nil" },
  { "a name that resolves reaches every dns callback as its dotted quad", "far.test", "10.20.30.40" },
}
for _, case in ipairs(cases) do
  local title, name, want = case[1], case[2], case[3]
  emu.async(title, function(done)
    ask_all(name, function(got)
      emu.check(function() emu.same(got, { tcp = want, udp = want, resolve = want, connect = want }) end)
      done()
    end)
  end)
end
