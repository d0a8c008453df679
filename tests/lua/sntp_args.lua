-- args: --hosts fixtures/hosts
-- sntp's argument checks and error texts (app/modules/sntp.c sntp_sync, setoffset, getoffset).
-- No datagram leaves: the names below are not in the hosts file, so each sync ends in a
-- failed lookup.
local emu = require "emu"

emu.async("a second sync while one is pending: 'sync in progress'", function(done)
  sntp.sync("pending.invalid", nil, function() done() end)
  emu.raises("sync in progress", sntp.sync, "other.invalid")
end)

emu.test("a name over 128 characters: 'need <128 hostname'", function()
  emu.raises("need <128 hostname", sntp.sync, string.rep("a", 129))
end)

emu.test("2.x: an empty name is refused by dns_gethostbyname: 'bad hostname'", function()
  emu.raises("bad hostname", sntp.sync, "")
end)

emu.async("after an argument error the firmware's state stays allocated: every later sync is in progress", function(done)
  emu.raises("bad argument #1 to 'sync' (string expected, got boolean)", function() sntp.sync(true) end)
  emu.raises("sync in progress", sntp.sync, "x.invalid")
  done()
end)

emu.test("setoffset needs a number; getoffset returns it (a uint8_t)", function()
  emu.raises("bad argument #1 to 'setoffset' (number expected, got no value)", function() sntp.setoffset() end)
  sntp.setoffset(37)
  emu.eq(sntp.getoffset(), 37)
  sntp.setoffset(257)
  emu.eq(sntp.getoffset(), 1)
end)
