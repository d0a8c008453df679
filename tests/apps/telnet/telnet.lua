-- telnet.lua: the classic NodeMCU telnet console. Everything the interpreter prints goes to
-- the connected client (node.output), every line the client types is run (node.input).
-- One session at a time: node.output has one destination.
local M = {}

local PIECE = 1460  -- one segment; a socket holds at most 2920 unsent bytes

local session = nil

local function open_session(socket)
  local fifo, drained = {}, true

  local function sender(sck)
    if #fifo > 0 then
      drained = false
      sck:send(table.remove(fifo, 1))
    else
      drained = true
    end
  end

  -- node.output hands over text in batches of any size: merge small ones, split big ones,
  -- and keep a single piece in flight, the next one going from the "sent" callback.
  local function s_output(str)
    local last = fifo[#fifo]
    if last and #last + #str <= PIECE then
      fifo[#fifo] = last .. str
    else
      for i = 1, #str, PIECE do fifo[#fifo + 1] = str:sub(i, i + PIECE - 1) end
    end
    if drained and session == socket then sender(socket) end
  end

  session = socket
  node.output(s_output, 0)  -- 0: the UART no longer gets a copy
  socket:on("receive", function(_, line) node.input(line) end)
  socket:on("sent", sender)
  socket:on("disconnection", function()
    if session == socket then
      session = nil
      node.output(nil)  -- back to the UART
      print("telnet: session closed")
    end
  end)
  print(string.format("Welcome to NodeMCU world (%d mem free, %s)", node.heap(),
    tostring(wifi.sta.getip())))
end

local function refuse(socket)
  socket:on("sent", function(sck) sck:close() end)
  socket:send("telnet: another session is active\r\n")
end

function M.open(port, timeout)
  local srv = net.createServer(net.TCP, timeout or 180)
  srv:listen(port, function(socket)
    if session then refuse(socket) else open_session(socket) end
  end)
  return srv
end

return M
