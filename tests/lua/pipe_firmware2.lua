-- args: --firmware=2
-- pipe came with 3.0: 2.2.1 has no app/modules/pipe.c, so scripts see no `pipe` global.
local emu = require "emu"

emu.test("there is no pipe module under --firmware=2", function()
  emu.eq(pipe, nil)
  emu.eq(package.loaded.pipe, nil)
end)
