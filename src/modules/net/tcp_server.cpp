#include "modules/net/tcp_server.hpp"

#include <unistd.h>

#include "modules/net/address.hpp"
#include "modules/net/lwip_errors.hpp"
#include "modules/net/net_state.hpp"
#include "modules/net/tcp_socket.hpp"

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::tcp;

TcpServer::TcpServer(core::Device& d, int timeout_s)
    : device_(d), name_(net_state(d).next_name("srv")), timeout_s_(timeout_s) {
  device_.native_created();
}

TcpServer::~TcpServer() { device_.native_destroyed(); }

// srv:listen([port], [ip], fn): arguments are positional by type (net.c net_listen). Lua errors
// skip C++ destructors, so the host socket is set up in open_acceptor, which raises nothing.
int TcpServer::listen(lua_State* L) {
  if (acceptor_) return luaL_error(L, "already listening");
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
  accept_next();
  return 0;
}

int TcpServer::open_acceptor(std::uint16_t port, const char* ip) {
  // Whatever IP the script names, the server listens on the device's address (--bind).
  tcp::endpoint endpoint(bind_address(device_), host_port(device_, port));
  tcp::acceptor acceptor(device_.loop().io());
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  // Every lwIP server pcb has SOF_REUSEADDR: two servers may share a port (net.md 3.1).
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  int one = 1;
  if (!ec) ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (!ec) acceptor.bind(endpoint, ec);
  if (ec == asio::error::access_denied) {
    core::Console::diagnostic("nodemcu-emu: the host refuses port " + std::to_string(endpoint.port()) +
                              " (privileged); map it, e.g. --port-map " + std::to_string(port) + "=8080");
    return k_err_use;
  }
  if (ec) return ec == asio::error::address_in_use ? k_err_use : lwip_error_from(ec);
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return k_err_mem;  // tcp_listen failing is ERR_MEM on the device
  port_ = device_port(device_, acceptor.local_endpoint().port());
  ip_ = ip;
  acceptor_.emplace(std::move(acceptor));
  ++generation_;
  if (device_.trace().enabled())
    device_.trace().emit(device_.loop().now(), name_, "listen", {{"port", static_cast<int>(port_)}});
  return k_ok;
}

void TcpServer::accept_next() {
  if (!acceptor_ || accepting_) return;
  auto& net = net_state(device_);
  if (net.tcp_full()) {
    // The device drops SYNs while MEMP_NUM_TCP_PCB connections are established: the peer waits
    // (here in the host's backlog) until one closes.
    net.waiting_servers.push_back(weak_from_this());
    return;
  }
  accepting_ = true;
  std::uint64_t generation = generation_;
  acceptor_->async_accept(peer_, [self = shared_from_this(), generation](const boost::system::error_code& ec,
                                                                  tcp::socket socket) {
    self->accepting_ = false;
    if (!self->acceptor_ || self->generation_ != generation) return;
    if (!ec) self->accepted(std::move(socket));
    self->accept_next();
  });
}

void TcpServer::resume_accepting() { accept_next(); }

void TcpServer::accepted(tcp::socket socket) {
  std::shared_ptr<TcpSocket> accepted;
  // The new socket's userdata is made inside the protected call, as the listen callback's
  // argument: running out of memory there is reported like an error in the callback.
  device_.dispatch(listen_cb_, core::Protection::unprotected, [&](lua_State* L) {
    TcpSocket& sck = push_new_tcp_socket(L);
    sck.adopt(L, -1, std::move(socket), peer_, timeout_s_);
    accepted = sck.shared_from_this();
    return 1;
  });
  // Listen callback first, then "connection" if it registered one (net.md 3.2).
  if (accepted) accepted->start_accepted();
}

void TcpServer::stop_listening() {
  ++generation_;
  if (acceptor_) {
    boost::system::error_code ec;
    acceptor_->close(ec);
    acceptor_.reset();
  }
  listen_cb_.reset();
  anchor_.reset();
  keep_.reset();
}

int TcpServer::close(lua_State* L) {
  if (!acceptor_) return luaL_error(L, "not connected");
  if (device_.trace().enabled()) device_.trace().emit(device_.loop().now(), name_, "close");
  stop_listening();  // accepted sockets are unaffected
  return 0;
}

int TcpServer::getaddr(lua_State* L) {
  if (!acceptor_) {
    lua_pushnil(L);
    lua_pushnil(L);
    return 2;
  }
  lua_pushinteger(L, port_);
  lua_pushstring(L, ip_.c_str());
  return 2;
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

// NetState::connection_closed lives here: it is the servers that wait for a free slot.
void NetState::connection_closed() {
  --established;
  auto waiting = std::move(waiting_servers);
  waiting_servers.clear();
  for (auto& w : waiting)
    if (auto s = w.lock()) s->resume_accepting();
}

void NetState::warn(const std::string& text) { core::Console::diagnostic("nodemcu-emu: warning: " + text); }

}  // namespace nodemcu_emu::net
