-- A settings store on the flash, the way device scripts keep state across reboots: one JSON
-- file, written to a temporary name and renamed into place so a reset mid-write never leaves
-- half a file. Also shows the object API, line reading and the flash's figures.
-- Usage: nodemcu-emu --fs /tmp/flash examples/file_store.lua
--   (run it twice: the boot counter survives, as it would on the chip; the folder is created)
local SETTINGS = "settings.json"

-- The settings are small: one file.read() takes them (file.getcontents/putcontents came with
-- 3.0; under --firmware=3 they do this in one call).
local function load_settings()
  if not file.open(SETTINGS) then return { boots = 0 } end
  local ok, t = pcall(sjson.decode, file.read())
  file.close()
  return ok and t or { boots = 0 }
end

local function save_settings(t)
  local tmp = SETTINGS .. ".new"
  if not file.open(tmp, "w") then return false end
  local written = file.write(sjson.encode(t))
  file.close()
  if not written then return false end
  file.remove(SETTINGS)
  return file.rename(tmp, SETTINGS)
end

local settings = load_settings()
settings.boots = settings.boots + 1
settings.last_heap = node.heap()
print("boot number", settings.boots, "saved:", save_settings(settings))

-- A log with one line per boot, appended through a file object; "/" makes a folder on the host.
local log = file.open("logs/boot.log", "a+")
log:writeline(string.format("boot %d heap %d", settings.boots, settings.last_heap))
log:seek("set", 0)
local lines = 0
while log:readline() do lines = lines + 1 end
log:close()
print("lines in logs/boot.log:", lines)

for name, size in pairs(file.list()) do print(string.format("%-24s %6d bytes", name, size)) end
local remaining, used, total = file.fsinfo()
print(string.format("flash: %d of %d bytes used, %d free", used, total, remaining))
print("sha1 of settings:", encoder.toHex(crypto.fhash("sha1", SETTINGS)))
