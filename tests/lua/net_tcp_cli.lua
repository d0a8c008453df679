-- args: --host-libs
-- net TCP seen from outside: the emulator run as a subprocess with real clients (python3),
-- PANIC handling, --strict, --trace=json, --firmware=3.
local emu = require "emu"
local EMU = os.getenv("NODEMCU_EMU") or "nodemcu-emu"

local function write_file(path, text)
  local f = assert(io.open(path, "w"))
  f:write(text)
  f:close()
end

-- Runs the emulator on `script` with `args`; returns its combined output and exit status.
local function run(args, script)
  local path = os.tmpname()
  write_file(path, script)
  local p = io.popen(EMU .. " " .. args .. " " .. path .. " 2>&1; echo \"exit=$?\"")
  local out = p:read("*a")
  p:close()
  os.remove(path)
  local status = tonumber(out:match("exit=(%d+)%s*$"))
  return out, status
end

emu.test("N27 an error in a net callback is a PANIC and, by default, exits 1", function()
  local out, status = run("--virtual-time", [[
    local srv = net.createServer()
    srv:listen(0, function(c) c:on("receive", function() error("bad handler") end) end)
    local cl = net.createConnection()
    cl:on("connection", function(s) s:send("x") end)
    cl:connect((srv:getaddr()), "127.0.0.1")
  ]])
  emu.eq(status, 1, "exit status")
  emu.truthy(out:find("PANIC: unprotected error in call to Lua API (", 1, true), out)
  emu.truthy(out:find("bad handler", 1, true), out)
  emu.truthy(out:find("stack traceback", 1, true), out)
end)

-- "connection" and "sent" get only the socket: they are called without the protected
-- trampoline that handlers given data need (core::Pushes::plain), and must fail the same way.
emu.test("N27 an error in a handler called without data (sent, connection) is the same PANIC", function()
  for _, event in ipairs({ "sent", "connection" }) do
    local out, status = run("--virtual-time", ([[
      local srv = net.createServer()
      srv:listen(0, function(c) end)
      local cl = net.createConnection()
      cl:on("sent", function() error("bad %s handler") end)
      cl:on("connection", function(s) if "%s" == "connection" then error("bad %s handler") end s:send("x") end)
      cl:connect((srv:getaddr()), "127.0.0.1")
    ]]):format(event, event, event))
    emu.eq(status, 1, event .. ": exit status")
    emu.truthy(out:find("PANIC: unprotected error in call to Lua API (", 1, true), out)
    emu.truthy(out:find("bad " .. event .. " handler", 1, true), out)
    emu.truthy(out:find("stack traceback:\n", 1, true), out)
    emu.truthy(out:find(":%d+: in function <"), out)  -- the handler's own frame
  end
end)

emu.test("N27 --on-error=continue reports the PANIC and keeps going", function()
  local out, status = run("--virtual-time --on-error=continue", [[
    local srv = net.createServer()
    srv:listen(0, function(c)
      c:on("receive", function() error("bad handler") end)
    end)
    local cl = net.createConnection()
    cl:on("connection", function(s) s:send("x") end)
    cl:connect((srv:getaddr()), "127.0.0.1")
    tmr.create():alarm(1000, tmr.ALARM_SINGLE, function() print("still alive"); node.restart() end)
  ]])
  emu.eq(status, 0, "exit status")
  emu.truthy(out:find("PANIC", 1, true), out)
  emu.truthy(out:find("still alive", 1, true), out)
end)

emu.test("--strict warns on a second send() before sent, with the script location", function()
  local out, status = run("--virtual-time --strict", [[
    local srv = net.createServer()
    srv:listen(0, function(c) c:on("receive", function() end) end)
    local cl = net.createConnection()
    cl:on("connection", function(s) s:send("a"); s:send("b"); s:close(); srv:close() end)
    cl:connect((srv:getaddr()), "127.0.0.1")
  ]])
  emu.eq(status, 0, "exit status")
  emu.truthy(out:find(':4: send() before the previous', 1, true), out)
end)

emu.test("--trace=json prints one JSON line per socket event", function()
  local out, status = run("--virtual-time --trace=json", [[
    local srv = net.createServer()
    srv:listen(0, function(c) c:on("receive", function(s) s:close() end) end)
    local cl = net.createConnection()
    cl:on("connection", function(s) s:send("hello") end)
    cl:on("reconnection", function() srv:close() end)
    cl:connect((srv:getaddr()), "127.0.0.1")
  ]])
  emu.eq(status, 0, "exit status")
  emu.truthy(out:find('{"t":0.000000,"obj":"srv#1","ev":"listen","port":', 1, true), out)
  emu.truthy(out:find('"ev":"recv","n":5}', 1, true), out)
  emu.truthy(out:find('"ev":"accept"', 1, true), out)
end)

emu.test("N3 profile 3: createServer(net.TCP, 30) times out after 1 s, with a warning", function()
  local out, status = run("--virtual-time --firmware=3", [[
    local srv = net.createServer(net.TCP, 30)
    local t0
    srv:listen(0, function(c)
      t0 = tmr.now()
      c:on("disconnection", function(_, err)
        print(string.format("dropped %d after %.1f", err, (tmr.now() - t0) / 1e6))
        srv:close()
      end)
    end)
    local cl = net.createConnection()
    cl:on("reconnection", function() end)
    cl:connect((srv:getaddr()), "127.0.0.1")
  ]])
  emu.eq(status, 0, "exit status")
  emu.truthy(out:find("dropped -8 after 1.0", 1, true), out)
  emu.truthy(out:find("first argument is the timeout", 1, true), out)
end)

emu.test("N3 profile 2: createServer(net.UDP) warns that the API is deprecated", function()
  local out = run("--virtual-time", [[ local ok = pcall(net.createServer, net.UDP) ]])
  emu.truthy(out:find("Warning, deprecated API! net.createServer with net.UDP type. It will be removed in next version. See documentation for details.", 1, true), out)
end)

-- Bulk transfers from a real peer run in real time, bounded by --run-for: under virtual time the
-- clock holds still for a real peer only for --peer-grace after its last traffic
-- (net_tcp_outside_peers.lua has the N4 silent real client and the rule itself).
emu.test("a 100 KB upload from a real client arrives complete in frames of at most 1460", function()
  local out, status = run("--run-for 20 --host-libs", [[
    local srv = net.createServer(net.TCP, 30)
    local total, frames, biggest = 0, 0, 0
    srv:listen(0, function(c)
      c:on("receive", function(_, d)
        total, frames = total + #d, frames + 1
        if #d > biggest then biggest = #d end
      end)
      c:on("disconnection", function()
        print("total", total, "frames", frames, "biggest", biggest)
        srv:close()
      end)
    end)
    local port = srv:getaddr()
    local py = io.popen("python3 -c \"import socket\ns=socket.create_connection(('127.0.0.1',"
      .. port .. "))\ns.sendall(b'u'*102400)\ns.close()\"")
  ]])
  emu.eq(status, 0, "exit status")
  local total, frames, biggest = out:match("total\t(%d+)\tframes\t(%d+)\tbiggest\t(%d+)")
  emu.eq(tonumber(total), 102400, out)
  emu.truthy(tonumber(frames) >= 71, "frames: " .. tostring(frames))
  emu.truthy(tonumber(biggest) <= 1460, "biggest frame: " .. tostring(biggest))
end)

emu.test("a 40 KB burst from a client that then waits for the answer is read completely", function()
  -- More than one host read holds: the rest must be read without waiting for new data.
  local out, status = run("--run-for 20 --host-libs", [[
    local srv = net.createServer(net.TCP, 30)
    local total, py = 0, nil
    srv:listen(0, function(c)
      c:on("receive", function(s, d)
        total = total + #d
        if total == 40000 then
          s:send("ok", function(x)
            x:close()
            srv:close()
            print("server got", total)
            print(py:read("*a"))
            py:close()
          end)
        end
      end)
    end)
    local port = srv:getaddr()
    py = io.popen("python3 -c \"import socket\ns=socket.create_connection(('127.0.0.1',"
      .. port .. "))\ns.sendall(b'b'*40000)\nprint('client got', s.recv(10))\"")
  ]])
  emu.eq(status, 0, "exit status")
  emu.truthy(out:find("server got\t40000", 1, true), out)
  emu.truthy(out:find("client got b'ok'", 1, true), out)
end)
