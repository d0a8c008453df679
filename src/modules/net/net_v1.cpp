// net under --firmware=1: 1.5.4.1's espconn-era API (net.c@1.5.4.1-master_20161201).
//
// What differs from 2.x is the shape, not the transport: net.TCP/net.UDP are the espconn type
// codes 16/32; createConnection(net.UDP) gives a socket that connect(port, ip)s and then
// send(data)s, createServer(net.UDP) one that listen(port)s and answers the last sender with
// send(data); receive callbacks get (object, data). Those objects are made here in Lua over the
// 2.x UDP socket (net.udpsocket), so ports, limits, --trace and the device's address mapping
// stay in one place (udp_socket.cpp) and every callback still reaches the script through that
// socket's unprotected dispatch, as 1.5.4.1's lua_call did. TCP keeps the 2.x objects (the
// method set of 1.5.4.1's net.socket/net.server is the same for TCP).
#include <string>

#include "core/device.hpp"
#include "modules/net/net_parts.hpp"

namespace nodemcu_emu::net {

namespace {

// Arguments: the 2.x constructors, net.dns.resolve and the base functions it uses (captured:
// a script may replace the globals). Returns createConnection, createServer.
constexpr const char* k_v1_chunk = R"LUA(
local new_udp, new_tcp, new_tcp_server, resolve, newproxy, getmetatable, type, error, tostring,
  tonumber, select = ...
local TCP, UDP = 16, 32
local server_in_use = false  -- 1.5.4.1 had one UDP server (pUdpServer)

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

local function new_object(class, methods)
  local obj = newproxy(true)
  local mt = getmetatable(obj)
  local st = { cb = {}, name = class }
  mt.class, mt.state, mt.__index = class, st, methods
  mt.__tostring = function() return class .. ": " .. tostring(st.inner or "closed") end
  mt.__gc = function() if st.inner then st.inner:close() end end
  return obj, st
end

-- The pcb: a 2.x socket bound to `port` (0: an ephemeral one), its datagrams handed on as
-- (object, data); the sender is kept for a server's send().
local function open_pcb(obj, st, port, ip)
  if st.inner then st.inner:close() end
  local u = new_udp()
  u:on("receive", function(_, data, from_port, from_ip)
    st.last_port, st.last_ip = from_port, from_ip
    local cb = st.cb.receive
    if cb then cb(obj, data) end
  end)
  if ip then u:listen(port, ip) else u:listen(port) end
  st.inner = u
end

local function send_from(obj, st, port, ip, data, fn)
  if type(fn) == "function" then st.cb.sent = fn end
  if not st.inner or not port or port == 0 or not ip or #data == 0 then return end
  st.inner:send(port, ip, data, function()
    local cb = st.cb.sent
    if cb then cb(obj) end
  end)
end

local function check_payload(v, present, fname)
  local data = check_string(v, present, 1, fname, 2)
  if #data > 1460 then fail("need <1460 payload", 2) end
  return data
end

local function set_callback(st, fname, event, fn, present, allowed)
  event = check_string(event, true, 1, fname, 2)
  if type(fn) ~= "function" then arg_error(2, fname, "function expected, got " .. typename(fn, present), 2) end
  if not allowed[event] then fail("method not supported", 2) end
  st.cb[event] = fn
end

local socket, server = {}, {}
local udp_events = { receive = true, sent = true }

function socket.connect(obj, ...)
  local st = check_self(obj, "net.socket", "connect")
  local port = check_integer((...), select("#", ...) >= 1, 1, "connect", 1)
  local domain = select(2, ...)
  domain = (type(domain) == "string" or type(domain) == "number") and tostring(domain) or "127.0.0.1"
  st.remote_port, st.remote_ip = port % 65536, nil
  open_pcb(obj, st, 0)
  if is_ip(domain) then
    st.remote_ip = domain
  else
    st.inner:dns(domain, function(_, ip) st.remote_ip = ip end)
  end
end

function socket.send(obj, ...)
  local st = check_self(obj, "net.socket", "send")
  local data = check_payload((...), select("#", ...) >= 1, "send")
  send_from(obj, st, st.remote_port, st.remote_ip, data, (select(2, ...)))
end

function socket.on(obj, ...)
  local st = check_self(obj, "net.socket", "on")
  set_callback(st, "on", (...), (select(2, ...)), select("#", ...) >= 2, udp_events)
end

function socket.close(obj)
  local st = check_self(obj, "net.socket", "close")
  if st.inner then st.inner:close() st.inner = nil end
end

function socket.dns(obj, ...)
  local st = check_self(obj, "net.socket", "dns")
  local domain = check_string((...), select("#", ...) >= 1, 1, "dns", 1)
  if #domain > 128 then fail("need <128 domain", 1) end
  local fn = select(2, ...)
  if type(fn) == "function" then st.cb.dns = fn end
  resolve(domain, function(_, ip)
    local cb = st.cb.dns
    if cb then cb(obj, ip) end
  end)
end

function socket.getpeer(obj)
  local st = check_self(obj, "net.socket", "getpeer")
  if not st.remote_port or st.remote_port == 0 then return nil, nil end
  return st.remote_ip or "255.255.255.255", st.remote_port
end

-- espconn_recv_hold/unhold act on TCP connections only.
function socket.hold(obj) check_self(obj, "net.socket", "hold") end
function socket.unhold(obj) check_self(obj, "net.socket", "unhold") end

function server.listen(obj, ...)
  local st = check_self(obj, "net.server", "listen")
  local port = check_integer((...), select("#", ...) >= 1, 1, "listen", 1)
  local ip = select(2, ...)
  open_pcb(obj, st, port % 65536, (type(ip) == "string" or type(ip) == "number") and tostring(ip) or nil)
  server_in_use = true
end

function server.on(obj, ...)
  local st = check_self(obj, "net.server", "on")
  set_callback(st, "on", (...), (select(2, ...)), select("#", ...) >= 2, udp_events)
end

function server.send(obj, ...)
  local st = check_self(obj, "net.server", "send")
  local data = check_payload((...), select("#", ...) >= 1, "send")
  local fn = select(2, ...)
  if type(fn) == "function" then st.cb.sent = fn end
  if not st.last_port then fail("remote ip/port unavailable", 1) end
  send_from(obj, st, st.last_port, st.last_ip, data, fn)
end

function server.close(obj)
  local st = check_self(obj, "net.server", "close")
  if st.inner then st.inner:close() st.inner = nil server_in_use = false end
end

-- net_create: type first; a function after the arguments is called with the new object.
local function check_type(v, present, fname)
  local t = check_integer(v, present, 1, fname, 2)
  if t ~= TCP and t ~= UDP then fail("wrong arg type", 2) end
  return t
end

local function call_back(obj, fn)
  if type(fn) == "function" then fn(obj) end
  return obj
end

local function createConnection(...)
  local t = check_type((...), select("#", ...) >= 1, "createConnection")
  local fn = select(2, ...)
  if t == TCP then return call_back(new_tcp(), fn) end
  return call_back((new_object("net.socket", socket)), fn)
end

local function createServer(...)
  local t = check_type((...), select("#", ...) >= 1, "createServer")
  local at = 2
  if t == TCP then
    local timeout = 30
    if tonumber((select(2, ...))) then
      timeout = tonumber((select(2, ...)))
      if timeout < 1 or timeout > 28800 then fail("wrong arg type", 1) end
      at = 3
    end
    return call_back(new_tcp_server(timeout), (select(at, ...)))
  end
  if server_in_use then fail("only one udp server allowed", 1) end
  return call_back((new_object("net.server", server)), (select(at, ...)))
end

return createConnection, createServer, TCP, UDP
)LUA";

// The 2.x constructors, called with 2.x's arguments (no deprecation notes: the script used
// the 1.x API, which had none).
int new_tcp_socket(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushinteger(L, 1);
  lua_call(L, 1, 1);
  return 1;
}

int new_tcp_server(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushinteger(L, 1);
  lua_pushvalue(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

void push_field_closure(lua_State* L, int net, const char* field, lua_CFunction fn) {
  lua_getfield(L, net, field);
  lua_pushcclosure(L, fn, 1);
}

}  // namespace

void open_v1(lua_State* L) {
  int net = lua_gettop(L);
  if (luaL_loadbuffer(L, k_v1_chunk, std::char_traits<char>::length(k_v1_chunk), "=net(1.x)") != 0)
    lua_error(L);
  lua_pushcfunction(L, push_new_udp_socket);
  push_field_closure(L, net, "createConnection", new_tcp_socket);
  push_field_closure(L, net, "createServer", new_tcp_server);
  lua_getfield(L, net, "dns");
  lua_getfield(L, -1, "resolve");
  lua_remove(L, -2);
  for (const char* name : {"newproxy", "getmetatable", "type", "error", "tostring", "tonumber", "select"})
    lua_getglobal(L, name);
  lua_call(L, 11, 4);
  lua_setfield(L, net, "UDP");
  lua_setfield(L, net, "TCP");
  lua_setfield(L, net, "createServer");
  lua_setfield(L, net, "createConnection");
  // 1.5.4.1's net_map has no createUDPSocket (it came with 2.x).
  lua_pushnil(L);
  lua_setfield(L, net, "createUDPSocket");
}

}  // namespace nodemcu_emu::net
