-- One owner of stdin: the device's serial port. Lines typed at the interactive console and
-- uart.on("data") frames come from the same UART0, as on the chip (driver/input.c).
local emu = require "emu"

emu.test("uart.on sees what is typed at the -i console, and the console gets it back after", function()
  local input = table.concat({
    'uart.on("data", "\\n", function(d) print("frame[" .. d .. "]") if d == "stop\\n" then uart.on("data") end end, 0)',
    "hello",
    "stop",
    'print("interpreted " .. 6 * 7)',
  }, "\n") .. "\n"
  local out, err, status = emu.run({ args = { "-i" }, stdin = input })
  emu.contains(out, "frame[hello\n]", "stdout")
  emu.contains(out, "frame[stop\n]", "stdout")
  emu.contains(out, "interpreted 42", "stdout")
  emu.lacks(out .. err, "hello'", "hello must not reach the interpreter")
  emu.eq(status, 0, "exit status")
end)

emu.test("a piped console's last line runs without its newline", function()
  local out, _, status = emu.run({ args = { "-i" }, stdin = 'print("last " .. 1 + 1)' })
  emu.contains(out, "last 2", "stdout")
  emu.eq(status, 0, "exit status")
end)
