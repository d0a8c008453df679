-- uart.on("data"): stdin framed as driver/input.c frames UART0 input. Each case runs a child
-- emulator with the input on its stdin.
local emu = require "emu"

local function run(script, stdin)
  local out, err, status = emu.run({ script = script, stdin = stdin })
  emu.eq(status, 0, err)
  return out
end

emu.test("a count of n delivers n-byte frames (run_input 0); the rest waits", function()
  local out = run([[uart.on("data", 4, function(d) uart.write(0, "[" .. d .. "]") end, 0)]],
                  "abcdefghij")
  emu.eq(out, "[abcd][efgh]")
end)

emu.test("an end character delivers up to and including it", function()
  local out = run([[uart.on("data", "\r", function(d) uart.write(0, "<" .. d .. ">") end, 0)]],
                  "one\rtwo\rthr")
  emu.eq(out, "<one\r><two\r>")
end)

emu.test("a count of 0 delivers every byte on its own", function()
  local out = run([[uart.on("data", 0, function(d) uart.write(0, "(" .. d .. ")") end, 0)]], "xyz")
  emu.eq(out, "(x)(y)(z)")
end)

emu.test("binary mode passes any byte, NUL and CR included", function()
  local out = run([[uart.on("data", 3, function(d) uart.write(0, (d:gsub("%c", function(c) return "<" .. c:byte() .. ">" end)) .. ";") end, 0)]],
                  "a\0b\r\nc")
  emu.eq(out, "a<0>b;<13><10>c;")
end)

emu.test("without an end character or count, frames end at NUL or after 255 bytes", function()
  local out = run([[uart.on("data", function(d) uart.write(0, #d .. ";") end, 0)]],
                  "ab\0" .. string.rep("x", 300))
  emu.eq(out, "3;256;")
end)

emu.test("unregistering in the callback hands the input back to the interpreter", function()
  local out = run([[
    uart.on("data", 4, function(d)
      uart.write(0, d .. "|")
      if d == "quit" then uart.on("data") end
    end, 0)
  ]], "abcdquitprint(7)\n")
  emu.eq(out, "abcd|quit|print(7)\n7\n> ")
end)

emu.test("run_input 1: each line goes to the callback (without its end) and to the interpreter", function()
  local out = run([[
    uart.setup(0, 115200, 8, uart.PARITY_NONE, uart.STOPBITS_1, 0)
    uart.on("data", "\n", function(d) print("got " .. d) end, 1)
  ]], "x = 6\nprint(x * 7)\n")
  emu.eq(out, "got x = 6\n> got print(x * 7)\n42\n> ")
end)

emu.test("run_input 1 ignores the count: lines are still the unit", function()
  local out = run([[
    uart.setup(0, 115200, 8, uart.PARITY_NONE, uart.STOPBITS_1, 0)
    uart.on("data", 2, function(d) print("got " .. d) end)
  ]], "a=1\r\n\r\n")
  emu.eq(out, "got a=1\n> got \n> ")
end)

emu.test("with echo on, the typed characters are sent back (backspace erases)", function()
  local out = run([[uart.on("data", function() end)]], "x=1\b2\n")
  emu.eq(out, "x=1\b \b2\n> ")
end)
