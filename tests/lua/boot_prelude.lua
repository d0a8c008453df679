-- --boot runs LUA_INIT, -e and -l first, then init.lua from the flash: a test sets a global
-- (or a pin level) before the application boots. A missing init.lua fails the run.
local emu = require "emu"

local function flash_with_init(text)
  local flash = emu.tmpdir()
  emu.write(flash .. "/init.lua", text)
  return flash
end

emu.test("-e runs before init.lua under --boot", function()
  local flash = flash_with_init("print('init sees', answer)\n")
  local out, err, status = emu.run { args = { "--boot", "--fs", flash, "-e", "answer = 42" } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "init sees\t42\n")
end)

emu.test("-l loads a flash module before init.lua under --boot", function()
  local flash = flash_with_init("print('init sees', setup_done)\n")
  emu.write(flash .. "/setup.lua", "setup_done = 'yes'\n")
  local out, err, status = emu.run { args = { "--boot", "--fs", flash, "-l", "setup" } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "init sees\tyes\n")
end)

emu.test("LUA_INIT runs first under --boot", function()
  local flash = flash_with_init("print('init sees', from_env)\n")
  local out, err, status = emu.run { args = { "--boot", "--fs", flash, "-e", "from_env = from_env .. '+e'" },
    env = { LUA_INIT = "from_env = 'env'" } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "init sees\tenv+e\n")
end)

emu.test("an -e error under --boot fails the run before init.lua", function()
  local flash = flash_with_init("print('init ran')\n")
  local out, err, status = emu.run { args = { "--boot", "--fs", flash, "-e", "error('setup failed')" } }
  emu.eq(status, 1)
  emu.eq(out, "")
  emu.contains(err, "setup failed")
end)

emu.test("-e runs again at every boot, before init.lua", function()
  local flash = flash_with_init([[
    local _, reason = node.bootreason()
    print("boot", reason, answer)
    if reason == 0 then node.restart() end
  ]])
  local out, err, status = emu.run { args = { "--boot", "--fs", flash, "-e", "answer = 7" } }
  emu.eq(status, 0, "stderr: " .. err)
  emu.eq(out, "boot\t0\t7\nboot\t4\t7\n")
end)
