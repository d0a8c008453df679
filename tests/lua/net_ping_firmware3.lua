-- args: --firmware=3 --hosts fixtures/hosts
-- net.ping (net_ping.c, lwip/app/ping.c at 3.0): a request at once and then every second, each
-- answered or timed out after 1 s, then the summary. The emulator's echo model: 127.0.0.0/8
-- answers after 1 ms, any other address is silent (docs/net.md).
local emu = require "emu"

emu.async("a loopback address answers every request; the summary follows the last round", function(done)
  local t0 = tmr.now()
  local got = {}
  net.ping("127.0.0.1", 3, function(bytes, ip, seq, rtt)
    got[#got + 1] = { bytes, ip, rtt, math.floor((tmr.now() - t0) / 1000) }
    got.first_seq = got.first_seq or seq
    got.last_seq = seq
  end, function(ip, total, lost, bytes, ms)
    emu.check(function()
      emu.same(got[1], { 32, "127.0.0.1", 1, 1 })
      emu.same(got[3], { 32, "127.0.0.1", 1, 2001 })
      emu.eq(got.last_seq - got.first_seq, 2, "sequence numbers count up")
      emu.same({ ip, total, lost, bytes, ms }, { "127.0.0.1", 3, 0, 96, 3000 })
    end)
    done()
  end)
end)

emu.async("an address off the machine never answers: each request times out (0 bytes, rtt -1)", function(done)
  local got = {}
  net.ping("10.9.8.7", function(bytes, ip, seq, rtt) got[#got + 1] = { bytes, ip, seq, rtt } end,
    function(ip, total, lost, bytes)
      emu.check(function()
        emu.eq(#got, 4, "count defaults to 4")
        emu.same(got[1], { 0, "10.9.8.7", 0, -1 })
        emu.same({ ip, total, lost, bytes }, { "10.9.8.7", 4, 4, 0 })
      end)
      done()
    end)
end)

emu.async("a name that does not resolve calls the receive callback with 0 alone", function(done)
  net.ping("no.such.name.test", function(...)
    local n, first = select("#", ...), (...)
    emu.check(function()
      emu.eq(n, 1)
      emu.eq(first, 0)
    end)
    done()
  end)
end)

emu.test("net_ping.c's argument checks, with their negative argument numbers", function()
  emu.raises("bad argument #1 to 'ping' (string expected, got no value)", function() net.ping() end)
  emu.raises("bad argument #-2 to 'ping' (no received callback specified)", function() net.ping("127.0.0.1") end)
  emu.raises("bad argument #-2 to 'ping' (no received callback specified)", function() net.ping("127.0.0.1", 2, 5) end)
  emu.raises("bad argument #-1 to 'ping' (invalid sent callback, function expected)",
    function() net.ping("127.0.0.1", print, 5) end)
end)

emu.test("net.ping is 3.x only: under --firmware=2 it is nil and the error hints at 3", function()
  local _, err = emu.run { script = "net.ping('127.0.0.1', print)" }
  emu.contains(err, "nodemcu-emu: hint: net.ping() is the 3.x API — run with --firmware=3\n")
end)
