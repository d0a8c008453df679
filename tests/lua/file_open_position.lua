-- file.open's initial position, mode by mode. SPIFFS_open sets fdoffset to 0 whatever the
-- flags (spiffs_hydrogen.c:283@2.2.1-master_20190405, :274@1.5.4.1-master_20161201), and only a
-- write in an append mode moves it to the end first (SPIFFS_write, :481-482@2.2.1). So after
-- file.open(name, "a") file.seek() is 0 on the device, not the size; after a write it is.
local emu = require "emu"
require("fixtures.fs.sandbox").enter()

local function reset()
  file.remove("pos.txt")
  local f = file.open("pos.txt", "w")
  f:write("0123456789")
  f:close()
end

emu.test("every mode opens at position 0, the append modes included", function()
  for _, mode in ipairs { "r", "r+", "a", "a+" } do
    reset()
    local f = file.open("pos.txt", mode)
    emu.eq(f:seek(), 0, mode)
    f:close()
  end
  for _, mode in ipairs { "w", "w+" } do
    reset()
    local f = file.open("pos.txt", mode)
    emu.eq(f:seek(), 0, mode)
    emu.eq(f:seek("end"), 0, mode .. " truncates")
    f:close()
  end
end)

emu.test("a write in \"a\" appends and leaves the position at the new end", function()
  reset()
  local f = file.open("pos.txt", "a")
  emu.eq(f:seek("set", 3), 3, "seeking is allowed")
  f:write("ab")
  emu.eq(f:seek(), 12, "after the write: the end")
  f:close()
  f = file.open("pos.txt", "r")
  emu.eq(f:read(), "0123456789ab")
  f:close()
end)

emu.test("\"a+\" reads from the start until the first write", function()
  reset()
  local f = file.open("pos.txt", "a+")
  emu.eq(f:read(4), "0123")
  f:write("z")
  emu.eq(f:seek(), 11)
  emu.eq(f:seek("set", 8), 8)
  emu.eq(f:read(), "89z")
  f:close()
end)
