-- args: --host-libs
-- Virtual time with peers outside the process (docs/testing.md, "Virtual time with outside
-- peers"): the clock does not jump while a real peer may still act, for --peer-grace (1 s) of
-- real time after its last traffic or after listen() until the first client; then it jumps.
-- Each case runs a child emulator under --virtual-time whose peer is a python3 client, and
-- checks what the client got: outcomes, not wall-clock figures, but for the issue's own bound
-- on a silent client (2 s), which the client measures itself.
local emu = require "emu"

local function child(script, args)
  local argv = { "--host-libs" }
  for _, a in ipairs(args or {}) do argv[#argv + 1] = a end
  return emu.run({ script = script, args = argv })
end

-- A python client as a shell command: the source goes in a temporary file.
local function python(source)
  local path = emu.tmpname()
  emu.write(path, source)
  return "python3 " .. path
end

emu.test("a real client that sends 500 ms after connecting is served, not dropped by the 30 s timeout", function()
  local client = python([[
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
time.sleep(0.5)
s.sendall(b'hi')
print('client got', s.recv(100))
]])
  local out, err, status = child([[
    local srv = net.createServer(net.TCP, 30)
    local py
    srv:listen(0, function(c)
      c:on("receive", function(s, d)
        s:send("echo:" .. d, function(x) x:close(); srv:close(); print(py:read("*a")); py:close() end)
      end)
      c:on("disconnection", function(_, e) if e ~= 0 then print("dropped", e, tmr.now()) end end)
    end)
    py = io.popen("]] .. client .. [[ " .. srv:getaddr())
  ]])
  emu.eq(status, 0, "exit status\n" .. out .. err)
  emu.contains(out, "client got b'echo:hi'")
  emu.lacks(out, "dropped")
end)

emu.test("a real client that connects 500 ms after listen() is served before a 10 s timer", function()
  local port = emu.free_port("tcp")
  -- The client says "ready" once python has started (its start-up is not part of the 500 ms).
  local client = python([[
import socket, sys, time
print('ready', flush=True)
time.sleep(0.5)
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall(b'late')
print('client got', s.recv(100))
]])
  local out, err, status = child([[
    local py = io.popen("]] .. client .. " " .. port .. [[")
    assert(py:read("*l") == "ready")
    local srv = net.createServer(net.TCP, 30)
    local served = false
    srv:listen(]] .. port .. [[, function(c)
      c:on("receive", function(s, d)
        served = true
        s:send("ok:" .. d, function(x) x:close(); srv:close() end)
      end)
    end)
    tmr.create():alarm(10000, tmr.ALARM_SINGLE, function()
      print(served and "served" or "10 s passed first")
      if not served then srv:close() end
      print(py:read("*a"))
      py:close()
    end)
  ]])
  emu.eq(status, 0, "exit status\n" .. out .. err)
  emu.contains(out, "client got b'ok:late'")
  emu.contains(out, "served")
end)

emu.test("a silent real client is dropped after 30 s of virtual time within 2 s of wall time", function()
  local client = python([[
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
t = time.monotonic()
try:
    d = s.recv(10)
    how = 'eof' if d == b'' else 'data'
except ConnectionResetError:
    how = 'reset'
print('client: %s after %.3f s' % (how, time.monotonic() - t))
]])
  local out, err, status = child([[
    local srv = net.createServer(net.TCP, 30)
    local t0, py
    srv:listen(0, function(c)
      t0 = tmr.now()
      c:on("disconnection", function(_, e)
        print(string.format("dropped %d after %.1f s", e, (tmr.now() - t0) / 1e6))
        srv:close()
        print(py:read("*a"))
        py:close()
      end)
    end)
    py = io.popen("]] .. client .. [[ " .. srv:getaddr())
  ]])
  emu.eq(status, 0, "exit status\n" .. out .. err)
  emu.contains(out, "dropped -8 after 30.0 s")
  local wall = tonumber(out:match("client: reset after ([%d.]+) s"))
  emu.truthy(wall, "the client saw a reset: " .. out)
  emu.truthy(wall >= 0.9, "the clock waited the peer grace (1 s) first: " .. wall)
  emu.truthy(wall < 2.0, "dropped within 2 s of wall time: " .. wall)
end)

emu.test("--peer-grace 0 lets the clock jump past a real client at once (the old rule)", function()
  local client = python([[
import socket, sys, time
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
try:
    d = s.recv(10)
    print('client: eof' if d == b'' else 'client: data')
except ConnectionResetError:
    print('client: reset')
]])
  local out, err, status = child([[
    local srv = net.createServer(net.TCP, 30)
    local py
    srv:listen(0, function(c)
      c:on("disconnection", function(_, e)
        print("dropped", e); srv:close(); print(py:read("*a")); py:close()
      end)
    end)
    py = io.popen("]] .. client .. [[ " .. srv:getaddr())
  ]], { "--peer-grace", "0" })
  emu.eq(status, 0, "exit status\n" .. out .. err)
  emu.contains(out, "dropped\t-8")
  emu.contains(out, "client: reset")
end)

emu.test("a silent in-process peer holds nothing: its 30 s timeout passes at once", function()
  -- With a 60 s grace, a connection wrongly taken for an outside peer would hold the clock for
  -- a minute of real time (and the file's timeout would fail it); an in-process one holds none.
  local out, err, status = child([[
    local srv = net.createServer(net.TCP, 30)
    srv:listen(0, function(c)
      c:on("disconnection", function(_, e) print("dropped", e, tmr.now() / 1e6); srv:close() end)
    end)
    local cl = net.createConnection()
    cl:on("disconnection", function() end)
    cl:connect((srv:getaddr()), "127.0.0.1")
  ]], { "--peer-grace", "60000" })
  emu.eq(status, 0, "exit status\n" .. out .. err)
  emu.contains(out, "dropped\t-8\t30")
end)

emu.test("sockets are closed in the programs a script starts (a child keeps no listening port)", function()
  -- A listener, both ends of an accepted connection and a UDP socket, seen from io.popen and
  -- from os.execute: the descriptors are marked when a program starts, not per socket.
  local list = emu.tmpname()
  local out, err, status = child([[
    local srv = net.createServer()
    local udp = net.createUDPSocket()
    udp:listen(0)
    local function children_see_sockets()
      local p = io.popen("ls -l /proc/self/fd")
      local fds = p:read("*a")
      p:close()
      os.execute("ls -l /proc/self/fd > ]] .. list .. [[")
      local f = io.open("]] .. list .. [[")
      local listed = f:read("*a")
      f:close()
      return fds:find("socket:", 1, true) or listed:find("socket:", 1, true)
    end
    srv:listen(0, function(conn)
      print(children_see_sockets() and "child has a socket" or "child has no socket")
      conn:close()
      srv:close()
      udp:close()
    end)
    local cl = net.createConnection()
    cl:on("disconnection", function() end)
    cl:connect((srv:getaddr()), "127.0.0.1")
  ]])
  emu.remove(list)
  emu.eq(status, 0, "exit status\n" .. out .. err)
  emu.contains(out, "child has no socket")
end)
