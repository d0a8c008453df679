-- The 3.x telnet idiom (lua_modules/telnet/telnet.lua): node.output hands the callback the
-- stdout pipe; it sends at most 1400 bytes and returns false, and the socket's "sent" sends
-- the next piece. Lines received go to node.input.
-- Run: nodemcu-emu --firmware=3 examples/telnet_pipe.lua, then `telnet 127.0.0.1 2323`.
local function session(socket)
  local stdout

  local function output_cb(opipe)
    stdout = opipe
    local rec = opipe:read(1400)
    if rec and #rec > 0 then socket:send(rec) end
    return false -- the "sent" callback sends the rest
  end

  socket:on("sent", function(s)
    local rec = stdout and stdout:read(1400)
    if rec and #rec > 0 then s:send(rec) end
  end)
  socket:on("receive", function(_, data) node.input(data) end)
  socket:on("disconnection", function()
    node.output()
    socket, stdout = nil, nil
  end)
  node.output(output_cb, 0)
  print(("Welcome to NodeMCU world (%d mem free)"):format(node.heap()))
end

local srv = net.createServer(180)
srv:listen(2323, session)
print("telnet on port 2323")
