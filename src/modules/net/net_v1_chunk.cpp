// The Lua half of net under --firmware=1: 1.5.4.1's net.socket and net.server objects
// (app/modules/net.c@1.5.4.1-master_20161201) built over the 2.x objects. net_v1.cpp loads it.
//
// 1.5.4.1 has two object types for both protocols: net.socket (connect close on send hold
// unhold dns getpeer) and net.server (listen close on send), its callbacks reached through
// espconn. What a script sees of that is made here: the method sets, the argument checks and
// texts, the callbacks' arguments (disconnection gets the socket only, reconnection is never
// called: espconn's reconnect goes to the disconnection callback), getpeer's `ip, port` order,
// the disconnection that follows a local close(), one TCP server with at most five clients,
// listening ports that outlive the server's close(), the DNS retries of connect(). The
// transport stays in the 2.x objects, so ports, limits, --trace and the unprotected dispatch
// (a PANIC on an error, as lua_call) are theirs.
#include "modules/net/net_v1_chunk.hpp"

namespace nodemcu_emu::net {

const char k_net_v1_chunk[] = R"LUA(
local new_udp, new_tcp, new_tcp_server, listener_state, resolve, post, uart_write, warn,
  newproxy, getmetatable, type, error, tostring, tonumber, select, pcall, pairs = ...
local TCP, UDP = 16, 32
local MAX_SOCKET = 5  -- net.c: the clients one TCP server keeps (socket[MAX_SOCKET])

-- luaL_checkinteger / luaL_checklstring / luaL_checkanyfunction, worded as lauxlib words them.
-- The errors name the script's line, as a C function's do: `depth` is the number of this
-- chunk's frames between the raising function and the script (1: the public function itself).
local function typename(v, present) return present and type(v) or "no value" end
local function fail(msg, depth) error(msg, depth + 2) end
local function arg_error(n, fname, msg, depth)
  fail("bad argument #" .. n .. " to '" .. fname .. "' (" .. msg .. ")", depth + 1)
end
local function check_integer(v, present, n, fname, depth)
  local x = tonumber(v)
  if x == nil then arg_error(n, fname, "number expected, got " .. typename(v, present), depth + 1) end
  return x - x % 1
end
local function check_string(v, present, n, fname, depth)
  if type(v) == "number" then return tostring(v) end
  if type(v) ~= "string" then arg_error(n, fname, "string expected, got " .. typename(v, present), depth + 1) end
  return v
end
local function check_self(obj, class, fname)
  local mt = type(obj) == "userdata" and getmetatable(obj)
  local st = type(mt) == "table" and mt.class == class and mt.state
  if not st then arg_error(1, fname, class .. " expected, got " .. type(obj), 2) end
  return st
end

local function is_ip(s)
  local a, b, c, d = s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  return a and tonumber(a) < 256 and tonumber(b) < 256 and tonumber(c) < 256 and tonumber(d) < 256
end
-- lua_isstring: numbers count, as text.
local function opt_text(v)
  if type(v) == "string" or type(v) == "number" then return tostring(v) end
end

local function new_object(class, methods, kind)
  local obj = newproxy(true)
  local mt = getmetatable(obj)
  local st = { cb = {}, kind = kind }
  mt.class, mt.state, mt.__index = class, st, methods
  mt.__tostring = function() return class .. ": " .. tostring(st.inner or "closed") end
  -- A TCP object is collected only when its connection is gone (the 2.x socket's handlers
  -- hold it meanwhile, as net.c's self_ref does); a UDP pcb goes with its object.
  mt.__gc = function() if kind == UDP and st.inner then st.inner:close() end end
  return obj, st
end

local function call(cb, ...) if cb then cb(...) end end

-- A name is looked up as socket_dns_found does: a failure is retried until five have failed
-- in a row ("DNS retry N!" on the UART each time, "DNS Fail!" at the end, and then nothing:
-- no callback). The count is net.c's global dns_reconn_count: every socket's failures add to
-- it, a success or a new connect() clears it. A query that cannot start (the DNS table full)
-- is not retried: espconn_gethostbyname's error is ignored.
local dns_reconn_count = 0
local function lookup(domain, answer)
  local function attempt()
    pcall(resolve, domain, function(_, ip)
      if ip then
        dns_reconn_count = 0
        return answer(ip)
      end
      dns_reconn_count = dns_reconn_count + 1
      if dns_reconn_count >= 5 then return uart_write("DNS Fail!\n") end
      uart_write("DNS retry " .. dns_reconn_count .. "!\n")
      attempt()
    end)
  end
  dns_reconn_count = 0
  attempt()
end

-- --- UDP: the pcb is a 2.x socket bound to `port` (0: an ephemeral one), its datagrams
-- handed on as (object, data); the sender is kept for a server's send().
local function open_pcb(obj, st, port, ip)
  if st.inner then st.inner:close() end
  local u = new_udp()
  u:on("receive", function(_, data, from_port, from_ip)
    st.last_port, st.last_ip = from_port, from_ip
    call(st.cb.receive, obj, data)
  end)
  if ip then u:listen(port, ip) else u:listen(port) end
  st.inner = u
end

local function udp_send(obj, st, port, ip, data)
  if not st.inner or not port or port == 0 or not ip or #data == 0 then return end
  st.inner:send(port, ip, data, function() call(st.cb.sent, obj) end)
end

-- --- TCP: a 2.x socket under the 1.x object. Its events become 1.x callbacks.
local socket, server = {}, {}  -- the methods of net.socket and net.server
local server_clients, client_count = {}, 0  -- net.c's socket[] and socket_num
local tcp_server_cb                          -- tcpserver_cb_connect_ref: one for all servers
local tcp_server_timeover = 30               -- net.c's global: createServer sets it
local listen_timeout = 30                    -- what the last listen applied (espconn_regist_time)
-- Every TCP server object shares one espconn (pTcpServer), and each listen on a port not yet
-- listening adds a listening pcb to it (espconn_accept -> espconn_tcp_server) that nothing in
-- net.c ever removes: close() only drops the callback. Port -> the listening 2.x server.
local tcp_listeners = {}

-- Every listener hands its connections to the one callback, and the last listen's timeout
-- applies to all of them (espconn_server_poll reads the first server node's, which
-- espconn_regist_time sets).
local function update_listeners()
  for _, inner in pairs(tcp_listeners) do listener_state(inner, tcp_server_cb ~= nil, listen_timeout) end
end

local function let_go(obj, st)
  st.inner, st.connected = nil, false
  if server_clients[obj] then
    server_clients[obj] = nil
    client_count = client_count - 1
  end
end

local function wire(obj, st, inner, client)
  st.inner = inner
  if client then
    inner:on("connection", function()
      st.connected = true
      call(st.cb.connection, obj)
    end)
  end
  inner:on("receive", function(_, data) call(st.cb.receive, obj, data) end)
  inner:on("sent", function() call(st.cb.sent, obj) end)
  -- net_socket_reconnected and net_server_reconnected call the disconnection callback, with
  -- the socket only: an error (reset, timeout) looks like a close.
  local function gone()
    if st.inner ~= inner then return end
    let_go(obj, st)
    call(st.cb.disconnection, obj)
  end
  inner:on("disconnection", gone)
  inner:on("reconnection", gone)
end

-- espconn_disconnect: FIN now, the disconnection callback from espconn's task afterwards
-- (espconn_tcp_disconnect_successful). Nothing happens on a socket that is not connected.
local function disconnect(obj, st)
  local inner, connected = st.inner, st.connected
  if not inner then return end
  let_go(obj, st)
  pcall(inner.close, inner)  -- "not connected" while connecting: espconn_disconnect returns ARG
  if connected then post(function() call(st.cb.disconnection, obj) end) end
end

local function tcp_connect(obj, st, port, domain)
  disconnect(obj, st)
  local inner = new_tcp()
  wire(obj, st, inner, true)
  st.remote_port, st.resolving = port, nil
  -- Errors of the 2.x connect (port 0, a DNS table full) are espconn return codes net.c ignores.
  if is_ip(domain) then
    pcall(inner.connect, inner, port, domain)
    return
  end
  st.resolving = true
  lookup(domain, function(ip)
    if st.inner ~= inner then return end
    st.resolving = nil
    pcall(inner.connect, inner, port, ip)
  end)
end

-- net_server_connected: the sixth client is disconnected (MAX_SOCKET); with no listen
-- callback (the server closed) the connection is left without handlers, as espconn leaves it.
local function accept(conn)
  if client_count >= MAX_SOCKET then
    uart_write("MAX_SOCKET\n")
    return conn:close()
  end
  local cb = tcp_server_cb
  if not cb then return end
  local obj, st = new_object("net.socket", socket, TCP)
  st.connected = true
  server_clients[obj], client_count = st, client_count + 1
  wire(obj, st, conn, false)
  cb(obj)
end

-- --- methods -------------------------------------------------------------------------------

local events = {
  [TCP] = { connection = true, reconnection = true, disconnection = true, receive = true,
            sent = true, dns = true },
  [UDP] = { receive = true, sent = true },
  server = { [UDP] = { receive = true, sent = true }, [TCP] = {} },
}

-- net_on: the name (luaL_checklstring), the function (luaL_checkanyfunction), then the name
-- against what this kind of object takes.
local function set_callback(st, allowed, ...)
  local n = select("#", ...)
  local event, fn = ...
  event = check_string(event, n >= 1, 1, "on", 2)
  if type(fn) ~= "function" then
    arg_error(2, "on", "function or lightfunction expected, got " .. typename(fn, n >= 2), 2)
  end
  if not allowed[event] then fail("method not supported", 2) end
  st.cb[event] = fn
end

-- net_send's payload: luaL_checklstring, at most 1460 bytes.
local function check_payload(v, present)
  local data = check_string(v, present, 1, "send", 2)
  if #data > 1460 then fail("need <1460 payload", 2) end
  return data
end

-- socket:connect(port[, ip][, fn]): a function after the address (or after the port when
-- there is none) is the connection callback. A socket without an address connects to
-- 127.0.0.1 (net.c reads an uninitialised one).
function socket.connect(obj, ...)
  local st = check_self(obj, "net.socket", "connect")
  local port = check_integer((...), select("#", ...) >= 1, 1, "connect", 1) % 65536
  local domain = opt_text((select(2, ...)))
  local fn = select(domain and 3 or 2, ...)
  domain = domain or "127.0.0.1"
  if st.kind == TCP then
    if type(fn) == "function" then st.cb.connection = fn end
    tcp_connect(obj, st, port, domain)
    return
  end
  st.remote_port, st.remote_ip = port, nil
  open_pcb(obj, st, 0)
  if is_ip(domain) then
    st.remote_ip = domain
  else
    local inner = st.inner
    lookup(domain, function(ip) if st.inner == inner then st.remote_ip = ip end end)
  end
end

function socket.send(obj, ...)
  local st = check_self(obj, "net.socket", "send")
  local data = check_payload((...), select("#", ...) >= 1)
  local fn = select(2, ...)
  if type(fn) == "function" then st.cb.sent = fn end
  if st.kind == UDP then return udp_send(obj, st, st.remote_port, st.remote_ip, data) end
  -- espconn_sent's errors (not connected, nothing to send, no room) are ignored by net.c.
  if not st.connected or #data == 0 then return end
  local ok, err = pcall(st.inner.send, st.inner, data)
  if not ok then warn("send() of " .. #data .. " bytes dropped (" .. tostring(err) .. "): 1.5.4.1 ignores espconn_sent's error") end
end

function socket.on(obj, ...)
  local st = check_self(obj, "net.socket", "on")
  set_callback(st, events[st.kind], ...)
end

function socket.close(obj)
  local st = check_self(obj, "net.socket", "close")
  if st.kind == TCP then return disconnect(obj, st) end
  if st.inner then st.inner:close() st.inner = nil end
end

-- net_dns's query: the dns callback gets (socket, ip | nil); a dotted quad answers inside the
-- call; espconn_gethostbyname's errors (an empty name, the DNS table full) are ignored.
local function ask_dns(obj, st, domain, fn)
  if type(fn) == "function" then st.cb.dns = fn end
  local function answer(_, ip) call(st.cb.dns, obj, ip) end
  if is_ip(domain) then return resolve(domain, answer) end
  pcall(resolve, domain, answer)
end

function socket.dns(obj, ...)
  local st = check_self(obj, "net.socket", "dns")
  local domain = check_string((...), select("#", ...) >= 1, 1, "dns", 1)
  if #domain > 128 then fail("need <128 domain", 1) end
  ask_dns(obj, st, domain, (select(2, ...)))
end

-- net.dns.resolve(domain[, fn]) (net_dns_static): asked through a new UDP socket, which is
-- the callback's first argument; no function, no callback.
local function dns_resolve(...)
  local domain, fn = ...
  if type(domain) ~= "string" and type(domain) ~= "number" then fail("wrong parameter type (domain)", 1) end
  domain = tostring(domain)
  local obj, st = new_object("net.socket", socket, UDP)
  if #domain > 128 then fail("need <128 domain", 1) end
  ask_dns(obj, st, domain, fn)
end

-- ip, port (2.x turned the order round); during connect()'s DNS wait the address is
-- ipaddr_addr's IPADDR_NONE.
function socket.getpeer(obj)
  local st = check_self(obj, "net.socket", "getpeer")
  if st.kind == TCP then
    if st.resolving then return "255.255.255.255", st.remote_port end
    if not st.inner then return nil, nil end
    local port, ip = st.inner:getpeer()
    if port then return ip, port end
    return nil, nil
  end
  if not st.remote_port or st.remote_port == 0 then return nil, nil end
  return st.remote_ip or "255.255.255.255", st.remote_port
end

-- espconn_recv_hold/unhold act on TCP connections only.
function socket.hold(obj)
  local st = check_self(obj, "net.socket", "hold")
  if st.kind == TCP and st.inner then st.inner:hold() end
end
function socket.unhold(obj)
  local st = check_self(obj, "net.socket", "unhold")
  if st.kind == TCP and st.inner then st.inner:unhold() end
end

-- server:listen(port[, ip][, fn]). TCP: fn becomes the one connection callback of every TCP
-- server (a second listen replaces it). A port that listens already keeps its pcb (tcp_bind
-- fails, silently); another port gets one more. The ip is not used: espconn_tcp_server binds
-- IP_ADDR_ANY.
function server.listen(obj, ...)
  local st = check_self(obj, "net.server", "listen")
  local port = check_integer((...), select("#", ...) >= 1, 1, "listen", 1) % 65536
  local ip = opt_text((select(2, ...)))
  if st.kind == UDP then
    open_pcb(obj, st, port, ip)
    st.listening = true
    return
  end
  local fn = select(ip and 3 or 2, ...)
  if type(fn) == "function" then tcp_server_cb = fn end
  listen_timeout = tcp_server_timeover
  local inner = port ~= 0 and tcp_listeners[port]
  if not inner then
    inner = new_tcp_server(listen_timeout)
    inner:listen(port, accept)
    tcp_listeners[(inner:getaddr())] = inner
  end
  st.inner = inner
  update_listeners()
end

function server.on(obj, ...)
  local st = check_self(obj, "net.server", "on")
  set_callback(st, events.server[st.kind], ...)
end

function server.send(obj, ...)
  local st = check_self(obj, "net.server", "send")
  if st.kind == TCP then fail("tcp server send not supported", 1) end
  local data = check_payload((...), select("#", ...) >= 1)
  local fn = select(2, ...)
  if type(fn) == "function" then st.cb.sent = fn end
  if not st.last_port then fail("remote ip/port unavailable", 1) end
  udp_send(obj, st, st.last_port, st.last_ip, data)
end

-- TCP: the connection callback goes and every client is disconnected (each gets its
-- disconnection callback). The listening pcbs stay: a client still connects, and is left
-- without handlers until the timeout closes it or a new listen sets a callback.
function server.close(obj)
  local st = check_self(obj, "net.server", "close")
  if st.kind == UDP then
    if st.inner then st.inner:close() st.inner = nil st.listening = false end
    return
  end
  tcp_server_cb, st.inner = nil, nil
  update_listeners()
  local clients = {}
  for client in pairs(server_clients) do clients[#clients + 1] = client end
  for _, client in pairs(clients) do disconnect(client, server_clients[client]) end
end

-- --- constructors: net_create, type first; a function after the arguments gets the object.
local function check_type(v, present, fname)
  local t = check_integer(v, present, 1, fname, 2)
  if t ~= TCP and t ~= UDP then fail("wrong arg type", 2) end
  return t
end

local function made(obj, fn)
  if type(fn) == "function" then fn(obj) end
  return obj
end

local udp_server  -- pUdpServer's object while it listens: one UDP server at a time

local function createConnection(...)
  local t = check_type((...), select("#", ...) >= 1, "createConnection")
  return made((new_object("net.socket", socket, t)), (select(2, ...)))
end

local function createServer(...)
  local t = check_type((...), select("#", ...) >= 1, "createServer")
  local at = 2
  if t == TCP then
    local timeout = tonumber((select(2, ...)))
    if timeout then
      timeout = timeout - timeout % 1  -- lua_tointeger, read as unsigned
      if timeout < 1 or timeout > 28800 then fail("wrong arg type", 1) end
      at = 3
    end
    -- set before the one-server check, as net_create does: even a refused createServer
    -- changes what the next listen applies
    tcp_server_timeover = timeout or 30
  end
  if t == TCP and tcp_server_cb then fail("only one tcp server allowed", 1) end
  if t == UDP and udp_server and getmetatable(udp_server).state.listening then
    fail("only one udp server allowed", 1)
  end
  local obj = new_object("net.server", server, t)
  if t == UDP then udp_server = obj end
  return made(obj, (select(at, ...)))
end

return createConnection, createServer, TCP, UDP, dns_resolve
)LUA";

}  // namespace nodemcu_emu::net
