-- encoder: Base64 and hex as app/modules/encoder.c does them (spec/others.md "encoder").
local emu = require "emu"

emu.test("toBase64 follows RFC 4648 with '=' padding", function()
  local vectors = { [""] = "", f = "Zg==", fo = "Zm8=", foo = "Zm9v", foob = "Zm9vYg==",
    fooba = "Zm9vYmE=", foobar = "Zm9vYmFy" }
  for plain, b64 in pairs(vectors) do emu.eq(encoder.toBase64(plain), b64, plain) end
  emu.eq(encoder.toBase64("\255\254\0"), "//4A")
end)

emu.test("fromBase64 reverses toBase64, binary included", function()
  emu.eq(encoder.fromBase64("aGVsbG8gd29ybGQ="), "hello world")
  emu.eq(encoder.fromBase64("//4A"), "\255\254\0")
  emu.eq(encoder.fromBase64(""), "")
  local all = {}
  for i = 0, 255 do all[#all + 1] = string.char(i) end
  all = table.concat(all)
  emu.eq(encoder.fromBase64(encoder.toBase64(all)), all)
end)

emu.test("fromBase64 raises 'Invalid base64 string' on bad input", function()
  for _, bad in ipairs({ "abc", "abcde", "ab!d", "a=bc", "a===", "====", "aGVs\n" }) do
    emu.raises("Invalid base64 string", function() return encoder.fromBase64(bad) end)
  end
end)

emu.test("toHex gives lower-case hex, two characters a byte", function()
  emu.eq(encoder.toHex("abc"), "616263")
  emu.eq(encoder.toHex("\0\171\255"), "00abff")
  emu.eq(encoder.toHex(""), "")
end)

emu.test("fromHex takes either case", function()
  emu.eq(encoder.fromHex("6A6a6a"), "jjj")
  emu.eq(encoder.fromHex("00abFF"), "\0\171\255")
  emu.eq(encoder.fromHex(""), "")
end)

emu.test("fromHex raises 'Invalid hex string' on odd length or non-hex characters", function()
  for _, bad in ipairs({ "abc", "zz", "0x12", " 1" }) do
    emu.raises("Invalid hex string", function() return encoder.fromHex(bad) end)
  end
end)

emu.test("numbers are taken as their string form", function()
  emu.eq(encoder.toHex(12), "3132")
  emu.eq(encoder.toBase64(1), "MQ==")
end)

emu.test("a missing or non-string argument raises the argument error", function()
  emu.raises("bad argument #1 to 'toHex' (string expected, got no value)", function() return encoder.toHex() end)
  emu.raises("bad argument #1 to 'fromHex' (string expected, got table)", function() return encoder.fromHex({}) end)
  emu.raises("bad argument #1 to 'toBase64' (string expected, got nil)", function() return encoder.toBase64(nil) end)
  emu.raises("bad argument #1 to 'fromBase64' (string expected, got boolean)",
    function() return encoder.fromBase64(true) end)
end)
