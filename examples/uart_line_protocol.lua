-- A line protocol on the UART: take the serial port from the Lua interpreter (run_input 0)
-- and answer each "\n"-terminated command. The emulator's UART0 is stdin/stdout.
-- Usage: printf 'ping\nadd 2 3\nbye\n' | nodemcu-emu examples/uart_line_protocol.lua
uart.setup(0, 115200, 8, uart.PARITY_NONE, uart.STOPBITS_1, 0)

local handlers = {
  ping = function() return "pong" end,
  add = function(a, b) return tostring((tonumber(a) or 0) + (tonumber(b) or 0)) end,
  bye = function()
    uart.on("data")  -- give the UART back to the interpreter
    return "see you"
  end,
}

uart.on("data", "\n", function(line)
  local words = {}
  for w in line:gmatch("%S+") do words[#words + 1] = w end
  local handler = handlers[words[1] or ""]
  local reply
  if handler then
    reply = handler(select(2, unpack(words)))
  else
    reply = "unknown command: " .. line:gsub("%s+$", "")
  end
  uart.write(0, reply, "\n")
end, 0)
