-- Name lookups with net.dns.resolve: a dotted quad answers at once, inside the call; a name
-- answers later, with nil when it does not resolve. The first callback argument is always nil.
-- Usage: nodemcu-emu examples/dns_lookup.lua [name ...]           (default: localhost)
--        nodemcu-emu --hosts tests/lua/fixtures/hosts examples/dns_lookup.lua far.test nope.test
-- With --hosts FILE only that file is asked (nothing leaves the machine); without it the
-- host's own resolver answers, as the device's DNS servers would.
local names = {}
for i = 1, #(arg or {}) do names[#names + 1] = arg[i] end
if #names == 0 then names = { "localhost" } end

print("DNS servers the device would ask:", net.dns.getdnsserver(0), net.dns.getdnsserver(1))

net.dns.resolve("192.168.4.1", function(_, ip) print("dotted quad, answered inside the call:", ip) end)
print("resolve() returned")

-- One query at a time: the device has room for 4 in flight (DNS_TABLE_SIZE), more raise
-- "out of memory". Each answer starts the next lookup.
local function lookup(i)
  local name = names[i]
  if not name then
    -- A socket has the same lookup, with itself as the first callback argument.
    local sck = net.createUDPSocket()
    return sck:dns(names[1], function(s, ip) print("sck:dns(" .. names[1] .. ") ->", ip, s == sck) end)
  end
  net.dns.resolve(name, function(_, ip)
    print(string.format("%-24s -> %s", name, ip or "did not resolve"))
    lookup(i + 1)
  end)
end
lookup(1)
