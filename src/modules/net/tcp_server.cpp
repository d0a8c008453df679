#include "modules/net/tcp_server.hpp"

#include <unistd.h>

#include "core/ip/address.hpp"
#include "core/ip/lwip_errors.hpp"
#include "core/ip/tcp_stack.hpp"
#include "modules/net/net_state.hpp"
#include "modules/net/tcp_socket.hpp"

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::tcp;

TcpServer::TcpServer(core::Device& d, int timeout_s)
    : device_(d),
      name_(net_state(d).next_name("srv")),
      timeout_s_(timeout_s),
      listener_(std::make_shared<TcpListener>(d.loop())) {
  device_.native_created();
}

TcpServer::~TcpServer() { device_.native_destroyed(); }

// srv:listen([port], [ip], fn): arguments are positional by type (net.c net_listen). Lua errors
// skip C++ destructors, so the host socket is set up in open_acceptor, which raises nothing.
int TcpServer::listen(lua_State* L) {
  if (listener_->listening()) return luaL_error(L, "already listening");
  int arg = 2;
  std::uint16_t port = 0;
  if (lua_isnumber(L, arg)) port = static_cast<std::uint16_t>(lua_tointeger(L, arg++) & 0xFFFF);
  const char* ip = "0.0.0.0";
  if (lua_isstring(L, arg) && !lua_isnumber(L, arg)) ip = lua_tostring(L, arg++);
  if (!parse_ipv4(ip)) return luaL_error(L, "invalid IP address");
  if (!lua_isfunction(L, arg)) return luaL_error(L, "need callback");
  int err = open_acceptor(port, ip);
  if (err != k_ok) return luaL_error(L, "%s", lwip_error_text(err));
  listen_cb_ = lua::Ref(L, arg);
  anchor_ = lua::Ref(L, 1);
  keep_ = device_.loop().keep_alive();
  listener_->resume();
  return 0;
}

int TcpServer::open_acceptor(std::uint16_t port, const char* ip) {
  // Whatever IP the script names, the server listens on the device's address (--bind).
  tcp::endpoint endpoint(bind_address(device_), host_port(device_, port));
  boost::system::error_code ec;
  bool listen_failed = false;
  listener_->attach(weak_from_this());
  // Without a connection limit, one readiness takes what waits in the backlog (bounded). With
  // one, a connection at a time: the device's own connects that complete in the same wake-up
  // then count first, as lwIP counts a client's pcb before its peer's side is accepted.
  if (device_.options().limits.tcp == 0) listener_->accept_up_to(TcpListener::k_accept_batch);
  if (!listener_->open(endpoint, ec, listen_failed)) {
    if (listen_failed) return k_err_mem;  // tcp_listen failing is ERR_MEM on the device
    if (ec == asio::error::access_denied) {
      core::Console::diagnostic("nodemcu-emu: the host refuses port " +
                                std::to_string(endpoint.port()) +
                                " (privileged); map it, e.g. --port-map " + std::to_string(port) +
                                "=8080");
      return k_err_use;
    }
    return ec == asio::error::address_in_use ? k_err_use : lwip_error_from(ec);
  }
  port_ = device_port(device_, listener_->port());
  ip_ = ip;
  own_ = device_.loop().peers().own(tcp::endpoint(endpoint.address(), listener_->port()));
  first_client_ = device_.loop().peers().hold();
  if (device_.trace().enabled())
    device_.trace().emit(device_.loop().now(), name_, "listen", {{"port", static_cast<int>(port_)}});
  return k_ok;
}

bool TcpServer::may_accept() {
  if (parked_.empty() && !tcp_stack(device_).full()) return true;
  // The device drops SYNs while MEMP_NUM_TCP_PCB connections are established: the peer waits
  // (here in the host's backlog) until one closes.
  wait_for_slot();
  return false;
}

void TcpServer::wait_for_slot() {
  if (waiting_) return;
  waiting_ = true;
  tcp_stack(device_).waiting.push_back([weak = weak_from_this()] {
    if (auto s = weak.lock()) {
      s->waiting_ = false;
      s->resume_accepting();
    }
  });
}

void TcpServer::resume_accepting() {
  while (!parked_.empty() && listen_cb_ && !tcp_stack(device_).full()) {
    Parked next = std::move(parked_.front());
    parked_.pop_front();
    deliver(std::exchange(next.fd, -1), next.peer);
  }
  if (!parked_.empty()) {
    wait_for_slot();
    return;
  }
  listener_->resume();
}

void TcpServer::on_accepted(int fd, const tcp::endpoint& peer) {
  first_client_.reset();  // from now on each connection holds the clock for itself
  if (!parked_.empty() || tcp_stack(device_).full()) {
    // The accept was armed while a slot was free, and an outgoing connection (a net socket, an
    // mqtt client) has taken the last one since: the device would have ignored this SYN. The
    // connection waits, unread, until a slot frees (the peer's handshake is the host's).
    parked_.emplace_back(fd, peer);
    wait_for_slot();
    return;
  }
  deliver(fd, peer);
}

TcpServer::Parked::~Parked() {
  if (fd >= 0) ::close(fd);
}

void TcpServer::deliver(int fd, const tcp::endpoint& peer) {
  std::shared_ptr<TcpSocket> accepted;
  // The new socket's userdata is made inside the protected call, as the listen callback's
  // argument: running out of memory there is reported like an error in the callback (and the
  // host socket, which nobody adopted then, is closed).
  device_.dispatch(listen_cb_, core::Protection::unprotected, [&](lua_State* L) {
    TcpSocket& sck = push_new_tcp_socket(L);
    sck.adopt(L, -1, fd, peer, timeout_s_);
    accepted = sck.shared_socket();
    return 1;
  });
  if (!accepted) {
    ::close(fd);
    return;
  }
  // Listen callback first, then "connection" if it registered one (net.md 3.2).
  accepted->start_accepted();
}

void TcpServer::stop_listening() {
  listener_->close();
  parked_.clear();  // closed unaccepted: the peers see the connection go
  own_.reset();
  first_client_.reset();
  listen_cb_.reset();
  anchor_.reset();
  keep_.reset();
}

int TcpServer::close(lua_State* L) {
  if (!listener_->listening()) return luaL_error(L, "not connected");
  if (device_.trace().enabled()) device_.trace().emit(device_.loop().now(), name_, "close");
  stop_listening();  // accepted sockets are unaffected
  return 0;
}

int TcpServer::getaddr(lua_State* L) {
  if (!listener_->listening()) {
    lua_pushnil(L);
    lua_pushnil(L);
    return 2;
  }
  lua_pushinteger(L, port_);
  lua_pushstring(L, ip_.c_str());
  return 2;
}

void TcpServer::set_v1_state(bool callback_set, int timeout_s) {
  timeout_s_ = timeout_s;
  if (!listener_->listening()) return;
  if (callback_set) {
    if (!keep_) keep_ = device_.loop().keep_alive();
    return;
  }
  // Nothing a client does here can call the script any more: the loop may end.
  keep_.reset();
  first_client_.reset();
}

void TcpServer::collected() { stop_listening(); }

// --- Lua bindings ---

namespace {
template <auto Method>
constexpr lua_CFunction server_method = method<k_tcpserver_class, Method>;
}  // namespace

void register_tcp_server_class(lua_State* L) {
  static const luaL_Reg methods[] = {{"listen", server_method<&TcpServer::listen>},
                                     {"close", server_method<&TcpServer::close>},
                                     {"getaddr", server_method<&TcpServer::getaddr>},
                                     {"__gc", lua::destroy_userdata<Handle<TcpServer>>},
                                     {"__tostring", to_string<k_tcpserver_class, TcpServer>},
                                     {nullptr, nullptr}};
  lua::new_class(L, k_tcpserver_class, methods);
}

TcpServer& push_new_tcp_server(lua_State* L, int timeout_s) {
  core::Device& d = core::Device::from(L);
  auto* handle = lua::new_userdata_from<Handle<TcpServer>>(
      L, k_tcpserver_class, [&d, timeout_s] { return std::make_shared<TcpServer>(d, timeout_s); });
  return *handle->object;
}

void NetState::warn(const std::string& text) { core::Console::diagnostic("nodemcu-emu: warning: " + text); }

}  // namespace nodemcu_emu::net
