-- The board's serial console on a pseudo-terminal, for the tools written for real boards:
--   nodemcu-emu --serial=/tmp/ttyNODEMCU --fs app/ examples/serial_console.lua
-- then connect to /tmp/ttyNODEMCU at any baud rate: nodemcu-tool --port /tmp/ttyNODEMCU fsinfo,
-- ESPlorer, or picocom -b 115200 /tmp/ttyNODEMCU. Type Lua at the '> ' prompt; node.restart()
-- reboots (this script runs again, after the banner), and files uploaded land in app/.
local _, reason = node.bootreason()
print(("console demo: boot reason %d, %d files in the flash"):format(reason,
  (function() local n = 0 for _ in pairs(file.list()) do n = n + 1 end return n end)()))
