#include "modules/net/tcp_socket.hpp"

#include "core/ip/address.hpp"
#include "modules/net/dns_callback.hpp"
#include "core/ip/dns_resolver.hpp"
#include "core/ip/lwip_errors.hpp"
#include "core/ip/tcp_stack.hpp"
#include "modules/net/net_state.hpp"
#include "modules/net/socket_ttl.hpp"

namespace nodemcu_emu::net {

namespace {
// A connect whose name did not resolve goes to 255.255.255.255 on the device and fails after
// the SYN retries (net.md 4.1 item 8); modelled as this long.
constexpr auto k_syn_give_up = std::chrono::seconds(21);
}  // namespace

TcpSocket::TcpSocket(core::Device& d)
    : TcpSession(d.loop(), d.trace(), net_state(d).next_object_name("tcp"),
                 TcpSession::Config{static_cast<std::uint32_t>(d.options().frame_size)}),
      device_(d) {
  device_.native_created();
}

TcpSocket::~TcpSocket() {
  release_loop();
  device_.native_destroyed();
}

void TcpSocket::trace(std::string_view event, std::initializer_list<core::Trace::Field> fields) {
  auto& t = device_.trace();
  if (t.enabled()) t.emit(device_.loop().now(), name(), event, fields);
}

bool TcpSocket::fire(Event e, const lua::Ref& self, core::Device::PushArgs args) {
  if (!self) return false;
  return fire_with(e, [&self](lua_State* L) {
    self.push(L);
    return 1;
  }, args);
}

bool TcpSocket::fire_pinned(Event e, std::size_t pin, core::Device::PushArgs args) {
  if (!callbacks_.pinned(pin)) return false;
  return fire_with(e, [this, pin](lua_State* L) {
    callbacks_.push_pin(L, pin);
    return 1;
  }, args);
}

bool TcpSocket::fire_with(Event e, core::Device::PushCall push_self, core::Device::PushArgs args) {
  if (!callbacks_.has(e)) return false;
  // The handler and the socket are registry references: without arguments nothing allocates.
  return device_.dispatch_pushed(core::Protection::unprotected, [this, e, push_self, args](lua_State* L) {
    callbacks_.push(L, e);
    push_self(L);
    return 1 + (args ? args(L) : 0);
  }, args ? core::Pushes::may_allocate : core::Pushes::plain);
}

// --- accepted connections ---

void TcpSocket::adopt(lua_State* L, int self_index, int fd, const tcp::endpoint& peer,
                      int timeout_s) {
  callbacks_.pin(L, k_anchor, self_index);
  keep_loop();
  if (peer.address().is_v4()) {
    remote_ip_ = peer.address().to_v4().to_uint();
    remote_port_ = peer.port();
  }
  TcpSession::adopt(fd, peer, timeout_s, device_.options().timeout_model == TimeoutModel::keepalive);
  if (device_.trace().enabled())
    trace("accept", {{"peer", format_ipv4(remote_ip_) + ":" + std::to_string(remote_port_)}});
}

// --- connect ---

// Lua errors are longjmps that skip C++ destructors: the Lua-facing methods raise only where
// no C++ object with a destructor is alive; the work that needs such objects is in helpers.
int TcpSocket::connect(lua_State* L) {
  if (open()) return luaL_error(L, "already connected");
  auto port = static_cast<std::uint16_t>(luaL_checkinteger(L, 2) & 0xFFFF);
  if (port == 0) return luaL_error(L, "specify port");
  if (lua_gettop(L) > 3 && !lua_isfunction(L, 4)) luaL_argerror(L, 4, "not a function");
  if (lua_gettop(L) > 3) callbacks_.set(L, Event::connection, 4);
  // No loopback interface on the device: the default host is what a PC test needs anyway.
  size_t len = 0;
  const char* host = lua_isstring(L, 3) ? lua_tolstring(L, 3, &len) : "127.0.0.1";
  if (!lua_isstring(L, 3)) len = 9;
  std::uint32_t ip = 0;
  int err = start_resolving(L, host, len, ip);
  if (err != k_ok && err != k_err_inprogress) return luaL_error(L, "%s", lwip_error_text(err));
  if (err == k_ok) {
    begin_connect(ip);
    // A dotted quad resolves inside connect(): the "dns" handler runs now, and an error in it
    // reaches the caller of connect() like any Lua error.
    call_dns_now(L, ip);
  }
  return 0;
}

void TcpSocket::call_dns_now(lua_State* L, std::uint32_t ip) {
  if (!callbacks_.has(Event::dns)) return;
  callbacks_.push(L, Event::dns);
  lua_pushvalue(L, 1);
  push_dns_answer(L, ip);
  lua_call(L, 2, 0);
}

int TcpSocket::start_resolving(lua_State* L, const char* host, std::size_t len, std::uint32_t& ip) {
  callbacks_.pin(L, k_anchor, 1);
  keep_loop();
  remote_port_ = static_cast<std::uint16_t>(lua_tointeger(L, 2) & 0xFFFF);
  remote_ip_ = 0;
  resolving_ = true;
  std::uint16_t generation = ++resolve_generation_;
  std::weak_ptr<TcpSocket> weak = shared_socket();
  std::string name(host, len);
  int err = dns_resolver(device_).lookup(name, ip, [weak, generation](std::optional<std::uint32_t> answer) {
    if (auto self = weak.lock()) self->connect_resolved(generation, answer);
  });
  if (err == k_err_inprogress) {
    ++dns_pending_;
    trace("resolve", {{"host", name}});
  } else if (err != k_ok) {
    resolving_ = false;
    callbacks_.unpin(k_anchor);
    release_loop();
  }
  return err;
}

void TcpSocket::connect_resolved(std::uint16_t generation, std::optional<std::uint32_t> answer) {
  --dns_pending_;
  bool still_wanted = resolving_ && resolve_generation_ == generation;
  if (device_.trace().enabled()) trace("dns", {{"ip", answer ? format_ipv4(*answer) : "nil"}});
  // The "dns" handler hears the answer even when close() came first (net.md 4.7).
  fire(Event::dns, [answer](lua_State* L) {
    push_dns_answer(L, answer);
    return 1;
  });
  if (still_wanted && resolving_ && resolve_generation_ == generation) {
    begin_connect(answer.value_or(0xFFFFFFFFu));
  } else if (!open() && dns_pending_ == 0) {
    callbacks_.unpin(k_anchor);
    release_loop();
  }
}

void TcpSocket::begin_connect(std::uint32_t ip) {
  remote_ip_ = ip;
  resolving_ = false;
  start_connecting();
  if (device_.trace().enabled())
    trace("connect", {{"to", format_ipv4(ip) + ":" + std::to_string(remote_port_)}});
  if (ip == 0xFFFFFFFFu) {
    // Nothing answers a SYN to the broadcast address: the retries run out.
    give_up_after(k_syn_give_up);
    return;
  }
  if (!device_.station_online()) {
    // tcp_connect fails with ERR_RTE, which net.c ignores: the socket never progresses and no
    // callback ever fires (net.md 4.1 item 9). It stays anchored, but keeps no loop alive.
    trace("no-route");
    NetState::warn("connect() while the station has no IP: on the device this connection "
                   "never progresses and no callback fires (wait for STA_GOT_IP)");
    release_loop();
    return;
  }
  boost::system::error_code ec;
  // Bound to the device's address so that peers see its IP (distinct per device in a fleet).
  open_bound(tcp::endpoint(bind_address(device_), 0), ec);
  set_ttl(ttl_);
  TcpSession::connect(connect_target(device_, ip, remote_port_));
}

// --- the session's events ---

void TcpSocket::on_connected() { fire(Event::connection); }

bool TcpSocket::on_receive(const char* data, std::size_t n) {
  // No handler: the device discards the data (still acknowledged).
  fire(Event::receive, [data, n](lua_State* L) {
    lua_pushlstring(L, data, n);
    return 1;
  });
  return !device_.halted();
}

void TcpSocket::on_sent() { fire(Event::sent); }

void TcpSocket::on_disconnected(int err) {
  Event e = (err != 0 && callbacks_.has(Event::reconnection)) ? Event::reconnection
                                                                 : Event::disconnection;
  // The handler still gets the userdata after the pcb is released (net.c pushes it first):
  // the anchor is held here until the call returns (kept while DNS is pending).
  lua::Ref self_ref = dns_pending_ == 0 ? callbacks_.take_pin(k_anchor) : lua::Ref();
  let_go();
  auto push_err = [err](lua_State* L) {
    lua_pushinteger(L, err);
    return 1;
  };
  if (self_ref)
    fire(e, self_ref, push_err);
  else
    fire(e, push_err);
}

void TcpSocket::on_slot(bool taken) {
  tcp_stack(device_).slot(taken);
}

// --- Lua methods on a connection ---

int TcpSocket::hold(lua_State*) {
  if (open()) TcpSession::hold();
  return 0;
}

int TcpSocket::unhold(lua_State*) {
  if (open()) TcpSession::unhold();
  return 0;
}

int TcpSocket::send(lua_State* L) {
  size_t len = 0;
  const char* data = luaL_checklstring(L, 2, &len);
  if (len == 0) return luaL_error(L, "no data to send");
  if (lua_isfunction(L, 3)) callbacks_.set(L, Event::sent, 3);
  // A socket waiting for DNS has a pcb in CLOSED state (no session yet): tcp_write says ERR_CONN.
  if (!can_send()) return luaL_error(L, "not connected");
  std::size_t n = len & 0xFFFF;  // tcp_write takes a u16 length
  if (n == 0) return 0;
  if (!fits(n)) return luaL_error(L, "%s", lwip_error_text(k_err_mem));
  if (device_.options().strict && awaiting_sent() > 0) {
    luaL_where(L, 1);
    NetState::warn(std::string(lua_tostring(L, -1)) +
                   "send() before the previous send()'s \"sent\" callback: the documentation "
                   "says consecutive sends may fail on the device; send the next part from \"sent\"");
    lua_pop(L, 1);
  }
  TcpSession::send(data, n);
  return 0;
}

int TcpSocket::close(lua_State* L) {
  if (!open()) return luaL_error(L, "not connected");
  trace("close");
  if (resolving_) {
    // The pending answer still reaches the "dns" handler, then lets the socket go.
    resolving_ = false;
    return 0;
  }
  bool unread = has_unread();
  if (unread) {
    // lwIP's tcp_close sends RST while received data is unacknowledged (net.md 4.7, 0.3).
    luaL_where(L, 1);
    NetState::warn(std::string(lua_tostring(L, -1)) +
                   "close() with received data not yet acknowledged (inside \"receive\" or while "
                   "held): the device resets the connection and drops what this callback sent; "
                   "close from the \"sent\" callback instead");
    lua_pop(L, 1);
  }
  TcpSession::close(unread);
  let_go();
  return 0;
}

void TcpSocket::let_go() {
  if (dns_pending_ == 0) {
    callbacks_.unpin(k_anchor);
    release_loop();
  }
}

// --- dns, ttl, addresses ---

int TcpSocket::dns(lua_State* L) {
  size_t len = 0;
  const char* host = luaL_checklstring(L, 2, &len);
  if (lua_isfunction(L, 3)) callbacks_.set(L, Event::dns, 3);
  if (!callbacks_.has(Event::dns)) return luaL_error(L, "no callback specified");
  std::uint32_t ip = 0;
  int err = start_dns_query(host, len, ip);
  if (err == k_ok) {
    call_dns_now(L, ip);
    return 0;
  }
  if (err != k_err_inprogress) return luaL_error(L, "%s", lwip_error_text(err));
  if (dns_pending_++ == 0) callbacks_.pin(L, k_dns_anchor, 1);
  return 0;
}

int TcpSocket::start_dns_query(const char* host, std::size_t len, std::uint32_t& ip) {
  std::weak_ptr<TcpSocket> weak = shared_socket();
  return dns_resolver(device_).lookup(std::string(host, len), ip, [weak](std::optional<std::uint32_t> answer) {
    if (auto self = weak.lock()) self->dns_answered(answer);
  });
}

void TcpSocket::dns_answered(std::optional<std::uint32_t> answer) {
  --dns_pending_;
  // The anchor goes with the last pending answer, after the handler has had the socket.
  lua::Ref anchor = dns_pending_ == 0 ? callbacks_.take_pin(k_dns_anchor) : lua::Ref();
  auto push_answer = [answer](lua_State* L) {
    push_dns_answer(L, answer);
    return 1;
  };
  if (anchor)
    fire(Event::dns, anchor, push_answer);
  else
    fire_pinned(Event::dns, k_dns_anchor, push_answer);
  // A connect() waiting for DNS connects to the answer (net.md 4.11).
  if (resolving_ && answer) begin_connect(*answer);
}

int TcpSocket::ttl(lua_State* L) {
  return socket_ttl(L, open(), ttl_, [this](int n) {
    ttl_ = static_cast<std::uint8_t>(n & 0xFF);
    set_ttl(ttl_);
  });
}

int TcpSocket::getpeer(lua_State* L) {
  if (!open() || remote_port_ == 0) {
    lua_pushnil(L);
    lua_pushnil(L);
    return 2;
  }
  lua_pushinteger(L, remote_port_);
  char text[16];  // a plain array: lua_pushstring may raise
  format_ipv4(remote_ip_, text);
  lua_pushstring(L, text);
  return 2;
}

int TcpSocket::getaddr(lua_State* L) {
  boost::system::error_code ec;
  tcp::endpoint local = local_endpoint(ec);
  if (!open() || ec || local.port() == 0) {
    lua_pushnil(L);
    lua_pushnil(L);
    return 2;
  }
  lua_pushinteger(L, device_port(device_, local.port()));
  lua_pushstring(L, device_.options().bind_address.c_str());
  return 2;
}

void TcpSocket::collected() {
  abandon();  // tcp_abort: RST, no callback
  resolving_ = false;
  callbacks_.reset_all();
  release_loop();
}

// --- Lua bindings ---

namespace {
template <auto Method>
constexpr lua_CFunction tcp_method = method<k_tcpsocket_class, Method>;
}  // namespace

void register_tcp_socket_class(lua_State* L) {
  static const luaL_Reg methods[] = {
      {"connect", tcp_method<&TcpSocket::connect>},
      {"close", tcp_method<&TcpSocket::close>},
      {"on", tcp_method<&TcpSocket::on>},
      {"send", tcp_method<&TcpSocket::send>},
      {"hold", tcp_method<&TcpSocket::hold>},
      {"unhold", tcp_method<&TcpSocket::unhold>},
      {"dns", tcp_method<&TcpSocket::dns>},
      {"ttl", tcp_method<&TcpSocket::ttl>},
      {"getpeer", tcp_method<&TcpSocket::getpeer>},
      {"getaddr", tcp_method<&TcpSocket::getaddr>},
      {"__gc", lua::destroy_userdata<Handle<TcpSocket>>},
      {"__tostring", to_string<k_tcpsocket_class, TcpSocket>},
      {nullptr, nullptr}};
  lua::new_class(L, k_tcpsocket_class, methods);
}

TcpSocket& push_new_tcp_socket(lua_State* L) {
  core::Device& d = core::Device::from(L);
  // The userdata's memory first: if that raises, no socket exists yet to leak.
  auto* handle = lua::new_userdata_from<Handle<TcpSocket>>(
      L, k_tcpsocket_class, [&d] { return std::make_shared<TcpSocket>(d); });
  return *handle->object;
}

}  // namespace nodemcu_emu::net
