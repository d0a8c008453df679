-- args: --firmware=3
-- The 3.x console contract: node.output gives its function the stdout pipe and node.input
-- feeds the stdin pipe; here a telnet-style console (lua_modules/telnet/telnet.lua) is driven
-- by a TCP client in the same script.
local emu = require "emu"

emu.async("node.output's function gets a pipe and returning false waits for the next write", function(done)
  local calls, got = 0, {}
  node.output(function(opipe)
    calls = calls + 1
    got[#got + 1] = opipe:read(1400)
    return false
  end, 0)
  print("hello", 1)
  emu.eq(calls, 0, "called before print returned")
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    node.output(nil)
    emu.check(function()
      emu.eq(calls, 1)
      emu.eq(table.concat(got), "hello\t1\n")
    end)
    done()
  end)
end)

emu.async("the output pipe is a pipe: read it by lines", function(done)
  local lines = {}
  node.output(function(opipe)
    for line in opipe:reader("\n") do lines[#lines + 1] = line end
    return false
  end, 0)
  print("a")
  print("b")
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    node.output()
    emu.check(function() emu.same(lines, { "a", "b" }) end)
    done()
  end)
end)

emu.async("node.input runs a line per task, and output of each line reaches the pipe", function(done)
  local out = {}
  node.output(function(opipe)
    out[#out + 1] = opipe:read(1400)
    return false
  end, 0)
  node.input("x3 = 1\nprint(x3 + 1)\npri")
  node.input("nt('done')\n")
  tmr.create():alarm(10, tmr.ALARM_SINGLE, function()
    node.output()
    emu.check(function() emu.eq(table.concat(out), "> 2\n> done\n> ") end)
    done()
  end)
end)

emu.test("node.input needs a string; node.output with no function restores the UART", function()
  emu.raises("bad argument #1 to 'input' (string expected, got no value)", function() node.input() end)
  node.output(42)
end)

emu.async("a telnet console over TCP: commands in, their output back through the pipe", function(done)
  local port = emu.free_port("tcp")
  local srv = net.createServer(30)  -- 3.x: the timeout comes first
  srv:listen(port, function(socket)
    local stdout
    node.output(function(opipe)
      stdout = opipe
      local rec = opipe:read(1400)
      if rec and #rec > 0 then socket:send(rec) end
      return false
    end, 0)
    socket:on("sent", function(s)
      local rec = stdout:read(1400)
      if rec and #rec > 0 then s:send(rec) end
    end)
    socket:on("receive", function(_, rec) node.input(rec) end)
    socket:on("disconnection", function() node.output() end)
    print("Welcome")
  end)

  local received = ""
  local client = net.createConnection(net.TCP, 0)
  client:on("receive", function(c, data)
    received = received .. data
    if received == "Welcome\n" then
      c:send("for i = 1, 300 do print(('line %03d'):format(i)) end\r\n")
    elseif received:find("line 300\n> $") then
      node.output()
      node.task.post(function() c:close() srv:close() end)
      emu.check(function()
        emu.eq(#received, #"Welcome\n" + 300 * #"line 000\n" + 2, "bytes")
        emu.truthy(received:find("line 001\nline 002\n", 1, true), "in order")
      end)
      done()
    end
  end)
  client:connect(port, "127.0.0.1")
end)
