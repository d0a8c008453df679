-- args: --firmware=1
-- The names 1.5.4.1 registers and no more (docs/firmware-coverage.md): a script's feature check
-- (`if file.stat then`) takes the path it takes on that device, and the 1.x-only crypto
-- encoders work as encoder's do.
local emu = require "emu"

emu.test("crypto.toHex and toBase64 exist and encode as encoder does", function()
  emu.eq(crypto.toHex("\0\255ab"), "00ff6162")
  emu.eq(crypto.toHex(""), "")
  emu.eq(crypto.toBase64("hello"), "aGVsbG8=")
  emu.eq(crypto.toBase64("hi"), "aGk=")
  emu.eq(crypto.toBase64(""), "")
  emu.eq(crypto.toHex(crypto.hash("sha1", "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d")
  emu.eq(crypto.toHex(12), "3132")  -- luaL_checklstring takes numbers
  emu.raises("bad argument #1 to 'toHex' (string expected, got no value)", function() crypto.toHex() end)
  emu.raises("bad argument #1 to 'toBase64' (string expected, got table)",
             function() crypto.toBase64({}) end)
end)

emu.test("names that came after 1.5.4.1 are absent", function()
  for _, n in ipairs({ "getcontents", "putcontents", "stat" }) do emu.eq(file[n], nil, "file." .. n) end
  emu.eq(node.egc.meminfo, nil)
  for _, n in ipairs({ "getconfig", "fifodepth", "DIR_RX", "DIR_TX" }) do emu.eq(uart[n], nil, "uart." .. n) end
  emu.eq(wifi.COUNTRY_AUTO, nil)
  emu.eq(wifi.COUNTRY_MANUAL, nil)
  emu.eq(wifi.eventmon.WIFI_MODE_CHANGED, nil)
end)

emu.test("what 1.5.4.1 does have is still there", function()
  for _, n in ipairs({ "open", "close", "read", "readline", "write", "writeline", "seek", "flush",
                       "list", "remove", "rename", "exists", "fsinfo", "format", "fscfg", "on" }) do
    emu.eq(type(file[n]), "function", "file." .. n)
  end
  emu.eq(type(node.egc.setmode), "function")
  emu.eq(type(uart.setup), "function")
  emu.eq(type(wifi.eventmon.register), "function")
  emu.eq(wifi.eventmon.STA_GOT_IP, 3)
end)
