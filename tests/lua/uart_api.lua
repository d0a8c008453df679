-- uart: setup/getconfig, write, constants and argument errors (uart.c, platform.c).
local emu = require "emu"

emu.test("constants have platform.h's values", function()
  emu.same({ uart.STOPBITS_1, uart.STOPBITS_2, uart.STOPBITS_1_5 }, { 1, 2, 3 })
  emu.same({ uart.PARITY_NONE, uart.PARITY_EVEN, uart.PARITY_ODD }, { 0, 1, 2 })
end)

emu.test("both UARTs start at 115200 8N1", function()
  emu.same({ uart.getconfig(0) }, { 115200, 8, uart.PARITY_NONE, uart.STOPBITS_1 })
  emu.same({ uart.getconfig(1) }, { 115200, 8, uart.PARITY_NONE, uart.STOPBITS_1 })
end)

emu.test("setup returns the baud rate and getconfig reports the new settings", function()
  emu.eq(uart.setup(0, 9600, 7, uart.PARITY_EVEN, uart.STOPBITS_2, 0), 9600)
  emu.same({ uart.getconfig(0) }, { 9600, 7, uart.PARITY_EVEN, uart.STOPBITS_2 })
  emu.eq(uart.setup(0, 115200, 8, uart.PARITY_NONE, uart.STOPBITS_1, 1), 115200)
end)

emu.test("an unsupported rate is answered as given but configured as 9600", function()
  emu.eq(uart.setup(1, 12345, 8, uart.PARITY_NONE, uart.STOPBITS_1), 12345)
  emu.eq((uart.getconfig(1)), 9600)
end)

emu.test("unknown data bits, parity and stop bits fall back to 8, none, 1", function()
  uart.setup(1, 74880, 9, 7, 5)
  emu.same({ uart.getconfig(1) }, { 74880, 8, uart.PARITY_NONE, uart.STOPBITS_1 })
end)

emu.test("setup, getconfig and write check the uart id", function()
  emu.raises("uart 2 does not exist", function() uart.setup(2, 9600, 8, 0, 1) end)
  emu.raises("uart 2 does not exist", function() uart.getconfig(2) end)
  emu.raises("uart 2 does not exist", function() uart.write(2, "x") end)
  emu.raises("bad argument #5 to 'setup' (number expected, got no value)", function() uart.setup(0, 9600, 8, 0) end)
end)

emu.test("write takes strings and byte values 0..255 only", function()
  emu.raises("invalid number", function() uart.write(0, 256) end)
  emu.raises("invalid number", function() uart.write(0, -1) end)
  emu.raises("bad argument #2 to 'write' (string expected, got table)", function() uart.write(0, {}) end)
end)

emu.test("write(0) goes to stdout past node.output; write(1) (TX only) to stderr", function()
  local out, err, status = emu.run({ script = [[
    node.output(function() end, 0)
    uart.write(0, "AB", 67, "\n")
    print("swallowed by node.output")
    uart.write(1, "debug", 10)
  ]] })
  emu.eq(status, 0, err)
  emu.eq(out, "ABC\n")
  emu.eq(err, "debug\n")
end)

-- 2.2.1's texts (3.0's are argument errors: arg_errors_firmware3.lua).
emu.test("on checks the method, the count and the end character", function()
  emu.raises("method not supported", function() uart.on("recv", print) end)
  emu.raises("wrong arg range", function() uart.on("data", 256, print, 0) end)
  emu.raises("wrong arg range", function() uart.on("data", -1, print, 0) end)
  emu.raises("wrong arg range", function() uart.on("data", "ab", print, 0) end)
end)

emu.test("fifodepth and DIR_RX/DIR_TX came with 3.0: absent under 2.2.1, there under 3", function()
  emu.eq(uart.fifodepth, nil)
  emu.eq(uart.DIR_RX, nil)
  emu.eq(uart.DIR_TX, nil)
  local out, err = emu.run { args = { "--firmware=3" }, script = [[
    print(uart.DIR_RX, uart.DIR_TX, uart.fifodepth(0, uart.DIR_RX), uart.fifodepth())
    print(pcall(uart.fifodepth, 2))
    print(pcall(uart.fifodepth, 0, 2))
  ]] }
  emu.eq(err, "")
  emu.eq(out, "0\t1\t0\t0\n" ..
    "false\tbad argument #1 to '?' (Bad UART id; must be 0 or 1)\n" ..
    "false\tbad argument #2 to '?' (Bad direction; must be DIR_RX or DIR_TX)\n")
end)

emu.test("alt takes a number and changes nothing visible", function()
  uart.alt(0)
  emu.raises("bad argument #1 to 'alt' (number expected, got no value)", function() uart.alt() end)
end)
