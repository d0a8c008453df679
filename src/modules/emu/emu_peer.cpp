// emu.peer (require "emu.peer", which lua/emu.lua loads on first use of emu.peer): in-process
// peers for tests, the other end of the app's connections (docs/testing.md, "In-process
// peers"). The cores are tcp_peer.hpp and udp_peer.hpp; this is their binding. Every read
// waits by running the event loop until its data is there or its timeout passes on the Clock,
// so the app's callbacks run meanwhile and virtual time keeps working.
#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>

#include "core/device.hpp"
#include "core/ip/address.hpp"
#include "lua/protected_push.hpp"
#include "lua/userdata.hpp"
#include "modules/emu/tcp_peer.hpp"
#include "modules/emu/udp_peer.hpp"
#include "modules/emu/why_stopped.hpp"

namespace nodemcu_emu::modules {

namespace {

using peer::PeerTrace;
using peer::TcpPeer;
using peer::TcpPeerListener;
using peer::UdpPeer;
using End = TcpPeer::End;
namespace asio = boost::asio;

constexpr char k_tcp_class[] = "emu.peer.tcp";
constexpr char k_listener_class[] = "emu.peer.listener";
constexpr char k_udp_class[] = "emu.peer.udp";
constexpr lua_Number k_default_timeout_ms = 60000;

// Names for the trace (peer#N), per device, apart from net's tcp#N/udp#N so that adding a
// peer to a test renames none of the app's objects.
struct PeerNames {
  explicit PeerNames(core::Device&) {}
  int next = 1;
};

PeerTrace next_trace(core::Device& d) {
  return {d.trace(), "peer#" + std::to_string(d.module_state<PeerNames>().next++)};
}

// The userdata: one reference to the peer; the peer closes when Lua collects it.
template <class T>
struct PeerHandle {
  std::shared_ptr<T> object;
  explicit PeerHandle(std::shared_ptr<T> o) : object(std::move(o)) {}
  ~PeerHandle() {
    if (object) object->close();
  }
};

template <class T>
T& check(lua_State* L, const char* cls) {
  auto* h = lua::test_userdata<PeerHandle<T>>(L, 1, cls);
  if (h == nullptr || !h->object) luaL_typerror(L, 1, cls);
  return *h->object;
}

// Methods every kind of peer has: close(), port() (listeners and UDP), __tostring.
template <class T, const char* Class>
int peer_close(lua_State* L) {
  check<T>(L, Class).close();
  return 0;
}

// The port as the app names it: the device port --port-map maps to the host port bound.
template <class T, const char* Class>
int peer_port(lua_State* L) {
  lua_pushinteger(L, net::device_port(core::Device::from(L), check<T>(L, Class).port()));
  return 1;
}

template <class T, const char* Class>
int peer_tostring(lua_State* L) {
  lua_pushfstring(L, "%s: %s", Class, check<T>(L, Class).name().c_str());
  return 1;
}

template <class T>
T& push_new(lua_State* L, const char* cls, std::shared_ptr<T> (*make)(core::Device&, void*),
            void* data) {
  core::Device& d = core::Device::from(L);
  auto* h = lua::new_userdata_from<PeerHandle<T>>(L, cls, [&] { return make(d, data); });
  return *h->object;
}

core::EventLoop& loop_of(lua_State* L) { return core::Device::from(L).loop(); }

// The optional timeout at `arg` (milliseconds on the Clock); raises on a bad one.
lua_Number timeout_arg(lua_State* L, int arg) {
  if (lua_isnoneornil(L, arg)) return k_default_timeout_ms;
  lua_Number ms = luaL_checknumber(L, arg);
  if (!(ms >= 0)) luaL_argerror(L, arg, "timeout_ms must be a number >= 0");
  return ms < 1e12 ? ms : 1e12;  // 31 years: "forever", within the Clock's microseconds
}

core::Micros limit_after(lua_State* L, lua_Number ms) {
  return loop_of(L).now() + core::Micros(static_cast<long long>(ms * 1000 + 0.5));
}

// Runs the event loop until ready() or until the Clock reaches `limit`; whether ready() holds
// at the end. The wait holds the loop: a peer waiting for I/O is work even when the device has
// nothing open (and then virtual time waits for loopback I/O before it jumps, as it does for
// the device's sockets). Nothing here raises a Lua error: the app's callbacks run protected.
// A device that halted (node.restart, a fatal error) is torn down on a later turn of the loop,
// Lua state and all: the wait returns first, so that the teardown never runs under this call.
template <class Ready>
bool run_until(lua_State* L, core::Micros limit, Ready ready) {
  core::Device& d = core::Device::from(L);
  core::EventLoop::KeepAlive busy = d.loop().keep_alive();
  while (!ready()) {
    if (d.halted() || !d.loop().step(limit)) return ready();
  }
  return true;
}

// nil, "timed out after N ms" (or why the loop stopped): the results of a wait that failed.
int push_timeout(lua_State* L, lua_Number ms) {
  lua_pushnil(L);
  if (const char* why = why_stopped(core::Device::from(L)))
    lua_pushstring(L, why);
  else
    lua_pushfstring(L, "timed out after %f ms", ms);
  return 2;
}

// Raises `prefix: the host's message`, from a frame with nothing to destroy.
[[noreturn]] void raise_host_error(lua_State* L, const char* prefix,
                                   const boost::system::error_code& ec) {
  {
    std::string text = std::string(prefix) + ": " + ec.message();
    lua::protected_push(L, text);
  }
  lua_error(L);
  __builtin_unreachable();
}

std::uint32_t check_ipv4(lua_State* L, int arg) {
  auto ip = net::parse_ipv4(luaL_checkstring(L, arg));
  if (!ip) luaL_argerror(L, arg, "not an IPv4 address");
  return *ip;
}

std::uint16_t check_port(lua_State* L, int arg, lua_Integer low) {
  lua_Integer port = luaL_checkinteger(L, arg);
  if (port < low || port > 65535)
    luaL_argerror(L, arg, low == 0 ? "port must be 0..65535" : "port must be 1..65535");
  return static_cast<std::uint16_t>(port);
}

void push_endpoint(lua_State* L, std::uint16_t port, const asio::ip::address& address) {
  char ip[64];
  std::snprintf(ip, sizeof ip, "%s", address.to_string().c_str());
  lua_pushinteger(L, port);
  lua_pushstring(L, ip);
}

// ---------------------------------------------------------------------------------------------
// TCP connections: emu.peer.tcp(host, port [, timeout_ms]) and what a listener accepts.

// Why a connection is over, as receive() and closed() say it.
const char* end_reason(End end) {
  switch (end) {
    case End::eof: return "closed";
    case End::reset: return "reset";
    case End::failed: return "failed";
    case End::closed: return "local";
    case End::none: break;
  }
  return "open";
}

TcpPeer& check_open_tcp(lua_State* L) {
  TcpPeer& p = check<TcpPeer>(L, k_tcp_class);
  if (p.end() == End::closed) luaL_error(L, "emu.peer: %s was closed by the test", p.name().c_str());
  return p;
}

// nil, reason, what was received so far (not taken): a read that could not be satisfied.
int push_read_failure(lua_State* L, TcpPeer& p, lua_Number ms) {
  if (p.end() != End::none) {
    lua_pushnil(L);
    lua_pushstring(L, end_reason(p.end()));
  } else {
    push_timeout(L, ms);
  }
  lua_pushlstring(L, p.received().data(), p.received().size());
  return 3;
}

// Pushes the first `n` received bytes and takes them.
int push_taken(lua_State* L, TcpPeer& p, std::size_t n) {
  lua_pushlstring(L, p.received().data(), n);
  p.consume(n);
  return 1;
}

// c:send(data): queued, and written as the host takes it (at once on loopback).
int tcp_send(lua_State* L) {
  TcpPeer& p = check_open_tcp(L);
  std::size_t n = 0;
  const char* data = luaL_checklstring(L, 2, &n);
  if (!p.can_send())
    return luaL_error(L, "emu.peer: cannot send on %s: %s", p.name().c_str(),
                      p.end() == End::reset || p.end() == End::failed ? end_reason(p.end()) : "shut down");
  p.send(std::string_view(data, n));
  return 0;
}

// c:receive([n] [, timeout_ms]): exactly n bytes, or (without n) whatever has arrived, at least
// one byte. nil, reason, partial when the connection ends first or the time runs out.
int tcp_receive(lua_State* L) {
  TcpPeer& p = check_open_tcp(L);
  lua_Integer n = 0;
  if (!lua_isnoneornil(L, 2)) {
    n = luaL_checkinteger(L, 2);
    if (n < 1) return luaL_argerror(L, 2, "n must be >= 1");
  }
  lua_Number ms = timeout_arg(L, 3);
  auto want = static_cast<std::size_t>(n > 0 ? n : 1);
  bool ok = run_until(L, limit_after(L, ms),
                      [&p, want] { return p.received().size() >= want || p.end() != End::none; });
  if (ok && p.received().size() >= want) return push_taken(L, p, n > 0 ? want : p.received().size());
  return push_read_failure(L, p, ms);
}

// c:receive_until(delimiter [, timeout_ms]): everything up to and including the delimiter.
int tcp_receive_until(lua_State* L) {
  TcpPeer& p = check_open_tcp(L);
  std::size_t dn = 0;
  const char* delimiter = luaL_checklstring(L, 2, &dn);
  if (dn == 0) return luaL_argerror(L, 2, "the delimiter is empty");
  lua_Number ms = timeout_arg(L, 3);
  std::string_view delim(delimiter, dn);
  std::size_t at = std::string::npos;
  run_until(L, limit_after(L, ms), [&p, delim, &at] {
    at = p.received().find(delim);
    return at != std::string::npos || p.end() != End::none;
  });
  at = p.received().find(delim);
  if (at != std::string::npos) return push_taken(L, p, at + dn);
  return push_read_failure(L, p, ms);
}

// c:receive_all([timeout_ms]): everything until the device closes the connection.
int tcp_receive_all(lua_State* L) {
  TcpPeer& p = check_open_tcp(L);
  lua_Number ms = timeout_arg(L, 2);
  run_until(L, limit_after(L, ms), [&p] { return p.end() != End::none; });
  if (p.end() == End::eof) return push_taken(L, p, p.received().size());
  return push_read_failure(L, p, ms);
}

// c:closed(): false while the connection is open, else true and why ("closed": the device
// closed it; "reset"; "local": this peer closed it).
int tcp_closed(lua_State* L) {
  TcpPeer& p = check<TcpPeer>(L, k_tcp_class);
  if (p.end() == End::none) {
    lua_pushboolean(L, 0);
    return 1;
  }
  lua_pushboolean(L, 1);
  lua_pushstring(L, end_reason(p.end()));
  return 2;
}

// c:wait_closed([timeout_ms]): runs the loop until the device closes or resets the connection;
// true and why, or nil and "timed out after N ms". Received data stays to be read.
int tcp_wait_closed(lua_State* L) {
  TcpPeer& p = check_open_tcp(L);
  lua_Number ms = timeout_arg(L, 2);
  if (!run_until(L, limit_after(L, ms), [&p] { return p.end() != End::none; }))
    return push_timeout(L, ms);
  return tcp_closed(L);
}

// c:available(): bytes received and not yet read.
int tcp_available(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(check<TcpPeer>(L, k_tcp_class).received().size()));
  return 1;
}

int tcp_shutdown(lua_State* L) {
  check_open_tcp(L).shutdown();
  return 0;
}

int tcp_abort(lua_State* L) {
  check<TcpPeer>(L, k_tcp_class).abort();
  return 0;
}

// c:getaddr(): this end's port and IP, the app's getpeer() of the connection.
int tcp_getaddr(lua_State* L) {
  auto e = check<TcpPeer>(L, k_tcp_class).local_endpoint();
  push_endpoint(L, e.port(), e.address());
  return 2;
}

// Arguments for the make functions below. Trivially destructible (an endpoint, an address, an
// error code): a Lua error may pass over the frame that holds them.
struct ConnectArgs {
  asio::ip::tcp::endpoint target;
};
static_assert(std::is_trivially_destructible_v<ConnectArgs>);

std::shared_ptr<TcpPeer> make_tcp(core::Device& d, void* data) {
  return TcpPeer::connect(d.loop(), static_cast<ConnectArgs*>(data)->target, next_trace(d));
}

// emu.peer.tcp(host, port [, timeout_ms]): a connection to the app's server at host:port as the
// app names them: a port --port-map maps is reached on its host port, as the app's own
// connections reach it. Returns once connected; raises when the connection fails.
int l_tcp(lua_State* L) {
  std::uint32_t ip = check_ipv4(L, 1);
  std::uint16_t port = check_port(L, 2, 1);
  lua_Number ms = timeout_arg(L, 3);
  ConnectArgs args{net::connect_target(core::Device::from(L), ip, port)};
  TcpPeer& p = push_new<TcpPeer>(L, k_tcp_class, make_tcp, &args);
  if (!run_until(L, limit_after(L, ms), [&p] { return !p.connecting(); })) {
    push_timeout(L, ms);
    return luaL_error(L, "emu.peer.tcp: cannot connect to %s:%d: %s", lua_tostring(L, 1),
                      static_cast<int>(port), lua_tostring(L, -1));
  }
  if (p.end() == End::failed) {
    char prefix[96];
    std::snprintf(prefix, sizeof prefix, "emu.peer.tcp: cannot connect to %s:%d (host port %d)",
                  lua_tostring(L, 1), static_cast<int>(port), static_cast<int>(args.target.port()));
    raise_host_error(L, prefix, p.error());
  }
  return 1;
}

// ---------------------------------------------------------------------------------------------
// emu.peer.listen([port [, ip]]): a server for the app to connect to.

struct BindArgs {
  asio::ip::address address;
  std::uint16_t host_port;
  boost::system::error_code ec;
};
static_assert(std::is_trivially_destructible_v<BindArgs>);

// The host port a device connection to (ip, port) reaches (--port-map applies to loopback and
// the device's own address, as net's connect does); port 0 stays 0 (the host chooses).
std::uint16_t mapped_port(lua_State* L, std::uint32_t ip, std::uint16_t port) {
  return port == 0 ? 0 : net::connect_target(core::Device::from(L), ip, port).port();
}

// emu.peer.listen and emu.peer.udp take ([port [, ip]]) and bind where the app's connect or
// sendto to (ip, port) arrives; they return the peer and its port as the app names it.
template <class T>
std::shared_ptr<T> make_bound(core::Device& d, void* data) {
  auto* args = static_cast<BindArgs*>(data);
  auto peer = std::make_shared<T>(d.loop(), next_trace(d));
  peer->open({args->address, args->host_port}, args->ec);
  return peer;
}

template <class T>
int new_bound(lua_State* L, const char* cls, const char* failure) {
  std::uint16_t port = lua_isnoneornil(L, 1) ? 0 : check_port(L, 1, 0);
  std::uint32_t ip = lua_isnoneornil(L, 2) ? 0x7F000001u : check_ipv4(L, 2);
  BindArgs args{asio::ip::address_v4(ip), mapped_port(L, ip, port), {}};
  T& peer = push_new<T>(L, cls, make_bound<T>, &args);
  if (args.ec) raise_host_error(L, failure, args.ec);
  lua_pushinteger(L, net::device_port(core::Device::from(L), peer.port()));
  return 2;
}

int l_listen(lua_State* L) {
  return new_bound<TcpPeerListener>(L, k_listener_class, "emu.peer.listen: cannot listen");
}

TcpPeerListener& check_listening(lua_State* L) {
  TcpPeerListener& l = check<TcpPeerListener>(L, k_listener_class);
  if (!l.listening()) luaL_error(L, "emu.peer: the listener is closed");
  return l;
}

// l:accept([timeout_ms]): the next connection from the app, or nil, "timed out after N ms".
int listener_accept(lua_State* L) {
  TcpPeerListener& l = check_listening(L);
  lua_Number ms = timeout_arg(L, 2);
  if (!run_until(L, limit_after(L, ms), [&l] { return l.has_connection(); }))
    return push_timeout(L, ms);
  auto* h = lua::new_userdata_from<PeerHandle<TcpPeer>>(L, k_tcp_class, [&l] { return l.take(); });
  (void)h;
  return 1;
}

// ---------------------------------------------------------------------------------------------
// emu.peer.udp([port [, ip]]): a UDP socket for the app to exchange datagrams with.

int l_udp(lua_State* L) { return new_bound<UdpPeer>(L, k_udp_class, "emu.peer.udp: cannot bind"); }

UdpPeer& check_open_udp(lua_State* L) {
  UdpPeer& u = check<UdpPeer>(L, k_udp_class);
  if (!u.is_open()) luaL_error(L, "emu.peer: %s was closed by the test", u.name().c_str());
  return u;
}

// u:send(host, port, data): one datagram to the app's socket at host:port (--port-map applies).
int udp_send(lua_State* L) {
  UdpPeer& u = check_open_udp(L);
  std::uint32_t ip = check_ipv4(L, 2);
  std::uint16_t port = check_port(L, 3, 1);
  std::size_t n = 0;
  const char* data = luaL_checklstring(L, 4, &n);
  auto target = net::connect_target(core::Device::from(L), ip, port);
  boost::system::error_code ec;
  u.send_to(std::string_view(data, n), {target.address(), target.port()}, ec);
  if (ec) raise_host_error(L, "emu.peer.udp: cannot send", ec);
  return 0;
}

// u:receive([timeout_ms]): the next datagram, its sender's IP and port (as the app names its
// own port), or nil, "timed out after N ms".
int udp_receive(lua_State* L) {
  UdpPeer& u = check_open_udp(L);
  lua_Number ms = timeout_arg(L, 2);
  if (!run_until(L, limit_after(L, ms), [&u] { return u.has_datagram(); }))
    return push_timeout(L, ms);
  const auto& d = u.front();
  lua_pushlstring(L, d.data.data(), d.data.size());
  std::uint16_t port = d.from.port();
  if (d.from.address().is_loopback()) port = net::device_port(core::Device::from(L), port);
  push_endpoint(L, port, d.from.address());
  lua_insert(L, -2);  // data, ip, port
  u.pop();
  return 3;
}

// ---------------------------------------------------------------------------------------------

}  // namespace

// `require "emu.peer"` (registered by emu_native.cpp).
int open_emu_peer(lua_State* L) {
  // The classes are the test helper's memory, not the app's (node.heap(), docs/testing.md).
  core::Device& d = core::Device::from(L);
  lua_gc(L, LUA_GCCOLLECT, 0);
  auto before = static_cast<long long>(d.heap_used());
  static const luaL_Reg tcp_methods[] = {
      {"send", tcp_send},
      {"receive", tcp_receive},
      {"receive_until", tcp_receive_until},
      {"receive_all", tcp_receive_all},
      {"closed", tcp_closed},
      {"wait_closed", tcp_wait_closed},
      {"available", tcp_available},
      {"shutdown", tcp_shutdown},
      {"close", peer_close<TcpPeer, k_tcp_class>},
      {"abort", tcp_abort},
      {"getaddr", tcp_getaddr},
      {"__gc", lua::destroy_userdata<PeerHandle<TcpPeer>>},
      {"__tostring", peer_tostring<TcpPeer, k_tcp_class>},
      {nullptr, nullptr}};
  static const luaL_Reg listener_methods[] = {
      {"accept", listener_accept},
      {"port", peer_port<TcpPeerListener, k_listener_class>},
      {"close", peer_close<TcpPeerListener, k_listener_class>},
      {"__gc", lua::destroy_userdata<PeerHandle<TcpPeerListener>>},
      {"__tostring", peer_tostring<TcpPeerListener, k_listener_class>},
      {nullptr, nullptr}};
  static const luaL_Reg udp_methods[] = {
      {"send", udp_send},
      {"receive", udp_receive},
      {"port", peer_port<UdpPeer, k_udp_class>},
      {"close", peer_close<UdpPeer, k_udp_class>},
      {"__gc", lua::destroy_userdata<PeerHandle<UdpPeer>>},
      {"__tostring", peer_tostring<UdpPeer, k_udp_class>},
      {nullptr, nullptr}};
  static const luaL_Reg functions[] = {
      {"tcp", l_tcp}, {"listen", l_listen}, {"udp", l_udp}, {nullptr, nullptr}};
  lua::new_class(L, k_tcp_class, tcp_methods);
  lua::new_class(L, k_listener_class, listener_methods);
  lua::new_class(L, k_udp_class, udp_methods);
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  d.exclude_from_heap(static_cast<long long>(d.heap_used()) - before);
  return 1;
}

}  // namespace nodemcu_emu::modules
