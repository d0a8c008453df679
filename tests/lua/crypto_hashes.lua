-- args: --fs fixtures/fs/crypto
-- crypto: digests, HMAC, AES and mask as app/modules/crypto.c and app/crypto/*.c do them.
-- The flash is a committed fixture folder (abc.txt, thousand_a.txt), only read here.
local emu = require "emu"

local hex, unhex = encoder.toHex, encoder.fromHex
local jefe = "what do ya want for nothing?"

emu.test("hash gives the raw digest of MD5, SHA1, SHA256, SHA384, SHA512", function()
  emu.eq(hex(crypto.hash("MD5", "abc")), "900150983cd24fb0d6963f7d28e17f72")
  emu.eq(hex(crypto.hash("SHA1", "abc")), "a9993e364706816aba3e25717850c26c9cd0d89d")
  emu.eq(hex(crypto.hash("SHA256", "abc")),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  emu.eq(hex(crypto.hash("SHA384", "abc")),
    "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7")
  emu.eq(hex(crypto.hash("SHA512", "abc")),
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
  emu.eq(#crypto.hash("SHA1", ""), 20, "raw bytes, not hex")
end)

emu.test("algorithm names are case-insensitive", function()
  local want = crypto.hash("SHA256", "abc")
  emu.eq(crypto.hash("sha256", "abc"), want)
  emu.eq(crypto.hash("Sha256", "abc"), want)
  emu.eq(crypto.hmac("md5", "x", "k"), crypto.hmac("MD5", "x", "k"))
end)

emu.test("an unknown algorithm raises 'unknown hash mech'", function()
  emu.raises("unknown hash mech", function() return crypto.hash("SHA3", "abc") end)
  emu.raises("unknown hash mech", function() return crypto.hmac("MD4", "abc", "k") end)
  emu.raises("unknown hash mech", function() return crypto.new_hash("CRC32") end)
  emu.raises("unknown hash mech", function() return crypto.new_hmac("nope", "k") end)
  emu.raises("unknown hash mech", function() return crypto.fhash("nope", "abc.txt") end)
end)

emu.test("hmac matches RFC 2104 / RFC 4231 test vectors", function()
  emu.eq(hex(crypto.hmac("MD5", jefe, "Jefe")), "750c783e6ab0b503eaa86e310a5db738")
  emu.eq(hex(crypto.hmac("SHA1", jefe, "Jefe")), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
  emu.eq(hex(crypto.hmac("SHA256", jefe, "Jefe")),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
  emu.eq(hex(crypto.hmac("SHA512", jefe, "Jefe")),
    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
end)

emu.test("an hmac key longer than the block is hashed first (RFC 4231 case 6)", function()
  emu.eq(hex(crypto.hmac("SHA256", "Test Using Larger Than Block-Size Key - Hash Key First",
    string.rep("\170", 131))), "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
end)

emu.test("new_hash:update/finalize equals the one-shot hash", function()
  local h = crypto.new_hash("SHA1")
  h:update("FirstString")
  h:update("SecondString")
  emu.eq(h:finalize(), crypto.hash("SHA1", "FirstStringSecondString"))
  emu.eq(getmetatable(h), debug.getregistry()["crypto.hash"])
end)

emu.test("new_hmac:update/finalize equals the one-shot hmac", function()
  local h = crypto.new_hmac("SHA256", "s3kr3t")
  h:update("First")
  h:update("Second")
  emu.eq(h:finalize(), crypto.hmac("SHA256", "FirstSecond", "s3kr3t"))
end)

emu.test("after finalize the object starts over (emulator; the device's context is wiped)", function()
  local h = crypto.new_hmac("MD5", "k")
  h:update("abc")
  h:finalize()
  h:update("xyz")
  emu.eq(h:finalize(), crypto.hmac("MD5", "xyz", "k"))
end)

emu.test("sha1 is the legacy one-shot SHA1", function()
  emu.eq(crypto.sha1("abc"), crypto.hash("SHA1", "abc"))
end)

emu.test("fhash hashes a file of the flash", function()
  emu.eq(crypto.fhash("sha1", "abc.txt"), crypto.hash("SHA1", "abc"))
  emu.eq(hex(crypto.fhash("SHA256", "thousand_a.txt")),
    "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
  emu.eq(crypto.fhash("md5", "/FLASH/abc.txt"), crypto.hash("MD5", "abc"))
end)

emu.test("fhash of a missing file raises 'file does not exist'", function()
  emu.raises("file does not exist", function() return crypto.fhash("sha1", "missing.txt") end)
end)

emu.test("mask XORs the message with the repeated mask", function()
  local msg, mask = "some message to obscure", "X0Y7"
  local want = {}
  for i = 1, #msg do
    want[i] = string.char(bit.bxor(msg:byte(i), mask:byte((i - 1) % #mask + 1)))
  end
  emu.eq(crypto.mask(msg, mask), table.concat(want))
  emu.eq(crypto.mask(crypto.mask(msg, mask), mask), msg)
end)

emu.test("mask with an empty mask raises 'invalid argument: mask'", function()
  emu.raises("invalid argument: mask", function() return crypto.mask("abc", "") end)
end)

emu.test("AES-ECB matches FIPS-197 and SP 800-38A", function()
  emu.eq(hex(crypto.encrypt("AES-ECB", unhex("000102030405060708090a0b0c0d0e0f"),
    unhex("00112233445566778899aabbccddeeff"))), "69c4e0d86a7b0430d8cdb78070b4c55a")
  local key = unhex("2b7e151628aed2a6abf7158809cf4f3c")
  emu.eq(hex(crypto.encrypt("aes-ecb", key, unhex("6bc1bee22e409f96e93d7e117393172a"))),
    "3ad77bb40d7a3660a89ecaf32466ef97")
  emu.eq(hex(crypto.decrypt("AES-ECB", key, unhex("3ad77bb40d7a3660a89ecaf32466ef97"))),
    "6bc1bee22e409f96e93d7e117393172a")
end)

emu.test("AES-CBC matches SP 800-38A F.2.1 and round-trips", function()
  local key = unhex("2b7e151628aed2a6abf7158809cf4f3c")
  local iv = unhex("000102030405060708090a0b0c0d0e0f")
  local plain = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
  local cipher = crypto.encrypt("AES-CBC", key, plain, iv)
  emu.eq(hex(cipher), "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2")
  emu.eq(crypto.decrypt("AES-CBC", key, cipher, iv), plain)
end)

emu.test("AES pads with zeros to 16 bytes; decrypt keeps the padding", function()
  local key = "1234567890abcdef"
  local cipher = crypto.encrypt("AES-ECB", key, "Hi, I'm secret!")
  emu.eq(#cipher, 16)
  emu.eq(crypto.decrypt("AES-ECB", key, cipher), "Hi, I'm secret!\0")
  emu.eq(#crypto.encrypt("AES-CBC", key, string.rep("x", 17)), 32)
  emu.eq(crypto.encrypt("AES-ECB", key, ""), "")
end)

emu.test("CBC: a missing IV is zeros, a short one zero-padded, a long one cut", function()
  local key, plain = "1234567890abcdef", "sixteen byte msg"
  local zero = crypto.encrypt("AES-CBC", key, plain)
  emu.eq(crypto.encrypt("AES-CBC", key, plain, string.rep("\0", 16)), zero)
  emu.eq(crypto.encrypt("AES-CBC", key, plain, "ab"), crypto.encrypt("AES-CBC", key, plain, "ab" .. string.rep("\0", 14)))
  emu.eq(crypto.encrypt("AES-CBC", key, plain, string.rep("i", 20)), crypto.encrypt("AES-CBC", key, plain, string.rep("i", 16)))
  emu.eq(crypto.encrypt("AES-ECB", key, plain, "ignored"), crypto.encrypt("AES-ECB", key, plain))
end)

emu.test("a key that is not 16 bytes raises 'crypto op failed'", function()
  emu.raises("crypto op failed", function() return crypto.encrypt("AES-ECB", "short", "data") end)
  emu.raises("crypto op failed", function() return crypto.decrypt("AES-CBC", string.rep("k", 32), "data") end)
end)

emu.test("an unknown cipher raises 'unknown cipher: NAME'", function()
  emu.raises("unknown cipher: DES-CBC", function() return crypto.encrypt("DES-CBC", "k", "d") end)
  emu.raises("unknown cipher: x", function() return crypto.decrypt("x", "k", "d") end)
end)

emu.test("argument errors carry Lua's texts", function()
  emu.raises("bad argument #2 to 'hash' (string expected, got no value)", function() return crypto.hash("MD5") end)
  emu.raises("bad argument #3 to 'hmac' (string expected, got no value)", function() return crypto.hmac("MD5", "x") end)
  emu.raises("bad argument #1 to 'hash' (string expected, got nil)", function() return crypto.hash(nil, "x") end)
  local h = crypto.new_hash("MD5")
  emu.raises("bad argument #1 to 'update' (string expected, got no value)", function() return h:update() end)
  emu.raises("bad argument #2 to 'new_hmac' (string expected, got no value)", function() return crypto.new_hmac("MD5") end)
end)
