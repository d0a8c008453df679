-- args: --firmware=2
-- 2.2.1 still registers crypto.toHex/toBase64 (crypto.c at 2.2.1-master_20190405).
local emu = require "emu"

emu.test("crypto.toHex/toBase64 exist at 2.2.1", function()
  emu.eq(crypto.toHex("\255"), "ff")
  emu.eq(crypto.toBase64("\255"), "/w==")
end)
