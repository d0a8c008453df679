// net.udpsocket: the Lua methods (net.c net_listen/net_send/... for TYPE_UDP_SOCKET) and the
// pcb's bind/send/receive rules (spec/net.md 5, 6, 8) over its host sockets (UdpHost).
#include "modules/net/udp_socket.hpp"

#include <utility>

#include "core/ip/address.hpp"
#include "modules/net/dns_callback.hpp"
#include "core/ip/dns_resolver.hpp"
#include "core/ip/lwip_errors.hpp"
#include "modules/net/net_parts.hpp"
#include "modules/net/net_state.hpp"
#include "modules/net/push_ipv4.hpp"
#include "modules/net/socket_ttl.hpp"
#include "core/station.hpp"

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

constexpr std::uint32_t k_broadcast = 0xFFFFFFFFu;

std::string endpoint_text(const udp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

// Where a datagram the device addresses to ip:port goes on the host.
udp::endpoint host_target(const core::Device& d, std::uint32_t ip, std::uint16_t port) {
  auto sta = core::station_info(d);
  // The device's network is this machine: a broadcast goes to the broadcast address of the
  // device's own network (on loopback 127.255.255.255, which never leaves the host).
  if (ip == k_broadcast || ip == sta.broadcast())
    return {asio::ip::address_v4(sta.broadcast()), host_port(d, port)};
  if (is_multicast(ip)) return {asio::ip::address_v4(ip), host_port(d, port)};
  auto target = connect_target(d, ip, port);
  return {target.address(), target.port()};
}

}  // namespace

UdpSocket::UdpSocket(core::Device& d)
    : device_(d), name_(net_state(d).next_name("udp")), host_(d.loop(), bind_address(d), udp_registry(d).read_buffers()) {
  device_.native_created();
}

UdpSocket::~UdpSocket() {
  remove();
  device_.native_destroyed();
}

void UdpSocket::trace(std::string_view event, std::initializer_list<core::Trace::Field> fields) {
  auto& t = device_.trace();
  if (t.enabled()) t.emit(device_.loop().now(), name_, event, fields);
}

// --- Lua methods ---

// udp:listen([port], [ip]): the server's positional parsing, without a callback (net.md 5.1).
int UdpSocket::listen(lua_State* L) {
  if (bound_) return luaL_error(L, "already listening");  // also after an auto-binding send()
  int arg = 2;
  std::uint16_t port = 0;
  const char* domain = "0.0.0.0";
  if (lua_isnumber(L, arg)) port = static_cast<std::uint16_t>(lua_tointeger(L, arg++));
  if (lua_isstring(L, arg)) domain = lua_tostring(L, arg++);
  auto ip = parse_ipv4(domain);
  if (!ip) return luaL_error(L, "invalid IP address");
  int err = bind(*ip, port);
  if (err != k_ok) return luaL_error(L, "%s", lwip_error_text(err));
  if (!anchor_) anchor_ = lua::Ref(L, 1);
  return 0;
}

// udp:send(port, ip, data, [sent_cb]) (net.md 5.2).
int UdpSocket::send(lua_State* L) {
  auto port = static_cast<std::uint16_t>(luaL_checkinteger(L, 2));
  if (port == 0) return luaL_error(L, "need port");
  auto ip = parse_ipv4(luaL_checkstring(L, 3));  // no DNS here: a host name is refused
  if (!ip) return luaL_error(L, "invalid IP address");
  std::size_t len = 0;
  const char* data = luaL_checklstring(L, 4, &len);
  if (len == 0) return luaL_error(L, "no data to send");
  if (lua_isfunction(L, 5)) callbacks_.set(L, Event::sent, 5);
  if (!bound_) {
    // First send on an unbound socket: any address, an ephemeral port, pinned until close().
    int err = bind(0, 0);
    if (err != k_ok) return luaL_error(L, "%s", lwip_error_text(err));
    if (!anchor_) anchor_ = lua::Ref(L, 1);
  }
  if (!bound_ || !anchor_) return luaL_error(L, "not connected");
  int err = send_to(*ip, port, std::string_view(data, len));
  // "sent" runs inside send(), whatever udp_sendto returned, before its error is raised; an
  // error in it reaches the caller of send() like any Lua error.
  if (callbacks_.has(Event::sent)) {
    callbacks_.push(L, Event::sent);
    lua_pushvalue(L, 1);
    lua_call(L, 1, 0);
  }
  if (err != k_ok) return luaL_error(L, "%s", lwip_error_text(err));
  return 0;
}

// udp:dns(host, [fn]) (net.md 4.11): fn(sck, ip|nil); a dotted quad answers inside the call.
int UdpSocket::dns(lua_State* L) {
  const char* host = luaL_checkstring(L, 2);
  if (lua_isfunction(L, 3)) callbacks_.set(L, Event::dns, 3);
  if (!callbacks_.has(Event::dns)) return luaL_error(L, "no callback specified");
  ++dns_pending_;
  bool pinned_here = false;
  if (!anchor_) {
    anchor_ = lua::Ref(L, 1);
    pinned_here = true;
  }
  std::uint32_t ip = 0;
  int err = dns_resolver(device_).lookup(
      host, ip, [weak = weak_from_this()](std::optional<std::uint32_t> answer) {
        if (auto self = weak.lock()) self->dns_answer(answer, false);
      });
  if (err == k_ok) {
    if (dns_answer(ip, true) != 0) return lua_error(L);
    return 0;
  }
  if (err != k_err_inprogress) {
    --dns_pending_;
    if (pinned_here) anchor_.reset();
    return luaL_error(L, "%s", lwip_error_text(err));
  }
  trace("resolve", {{"host", host}});
  return 0;
}

int UdpSocket::dns_answer(std::optional<std::uint32_t> ip, bool sync) {
  lua_State* L = device_.L();
  if (!anchor_ || !callbacks_.has(Event::dns) || device_.halted()) {
    finish_dns();
    return 0;
  }
  if (!sync) {
    auto self = shared_from_this();  // the callback may collect the userdata (see below)
    device_.dispatch_pushed(core::Protection::unprotected, [this, ip](lua_State* S) {
      callbacks_.push(S, Event::dns);
      anchor_.push(S);
      push_dns_answer(S, ip);
      return 2;
    });
    finish_dns();
    return 0;
  }
  callbacks_.push(L, Event::dns);
  anchor_.push(L);
  push_dns_answer(L, ip);
  // The callback may run the userdata's __gc itself (getmetatable(sck).__gc(sck)): this object
  // must outlive the bookkeeping below. Taken after the pushes, which may raise; the calls
  // below does not (lua_pcall).
  auto self = shared_from_this();
  // Inside dns() the error must reach the caller, after the bookkeeping below (the firmware
  // skips it and leaves the socket pinned for good).
  int status = lua_pcall(L, 2, 0, 0);
  finish_dns();
  return status;
}

void UdpSocket::finish_dns() {
  --dns_pending_;
  if (!bound_ && dns_pending_ == 0) anchor_.reset();
}

// udp:ttl([n]) (net.md 4.10): net_ttl, shared with TCP sockets.
int UdpSocket::ttl(lua_State* L) {
  return socket_ttl(L, bound_, ttl_, [this](int n) { set_ttl(n); });
}

// udp:getaddr() -> port, ip (the address bound, "0.0.0.0" for any) | nil, nil when unbound.
int UdpSocket::getaddr(lua_State* L) {
  if (!bound_ || local_port_ == 0) {
    lua_pushnil(L);
    lua_pushnil(L);
    return 2;
  }
  lua_pushinteger(L, local_port_);
  push_ipv4(L, local_ip_);
  return 2;
}

// udp:close(): no callback fires afterwards; the socket may listen or send again.
int UdpSocket::close(lua_State* L) {
  if (!bound_) return luaL_error(L, "not connected");
  remove();
  if (dns_pending_ == 0) anchor_.reset();  // else the pending answer unpins it
  return 0;
}

void UdpSocket::collected() {
  remove();
  callbacks_.reset_all();
  anchor_.reset();
}

// --- the pcb on the host ---

int UdpSocket::bind(std::uint32_t ip, std::uint16_t port) {
  auto& registry = udp_registry(device_);
  // Only the device's own address (or any) exists on its interface; lwIP binds any other
  // address too, and such a pcb then receives only broadcast and multicast.
  bool own = ip == 0 || ip == core::station_info(device_).ip;
  int err = k_ok;
  if (port != 0) {
    if (registry.in_use(this, ip, port)) return k_err_use;
    if (own && !bind_host(port, err)) return err;
  } else {
    for (std::uint32_t p = k_udp_port_first;; ++p) {
      if (p > k_udp_port_last) return k_err_use;  // udp_bind: out of free UDP ports
      auto candidate = static_cast<std::uint16_t>(p);
      if (registry.port_taken(candidate)) continue;
      // A host port another program holds is not free for the device either: try the next.
      if (own && !bind_host(candidate, err)) {
        if (err != k_err_use) return err;
        continue;
      }
      port = candidate;
      break;
    }
  }
  bound_ = true;
  local_ip_ = ip;
  local_port_ = port;
  keep_ = device_.loop().keep_alive();
  if (tracing()) trace("bind", {{"ip", format_ipv4(ip)}, {"port", static_cast<int>(port)}});
  // Broadcasts reach every pcb on the port (udp_input); on the host they come to a socket bound
  // to the broadcast address, shared with the other devices and programs on that port.
  auto self = shared_from_this();
  host_.listen_broadcast(asio::ip::address_v4(core::station_info(device_).broadcast()),
                         host_port(device_, port), self);
  for (const auto& entry : registry.groups()) add_group_receiver(entry.first);
  host_.receive(self);
  return k_ok;
}

bool UdpSocket::bind_host(std::uint16_t device_port, int& err) {
  boost::system::error_code ec;
  std::uint16_t hport = host_port(device_, device_port);
  if (!host_.open(hport, ttl_, ec)) {
    // Held by another program, or not bindable here: either way not the device's to have.
    err = k_err_use;
    if (ec != asio::error::address_in_use)
      NetState::warn("UDP port " + std::to_string(device_port) + " (host port " +
                     std::to_string(hport) + ") cannot be bound on the host: " + ec.message() +
                     "; --port-map " + std::to_string(device_port) + "=<port> may help");
    return false;
  }
  return true;
}

void UdpSocket::set_ttl(int ttl) {
  ttl_ = static_cast<std::uint8_t>(ttl);
  host_.set_ttl(ttl_);
}

void UdpSocket::remove() {
  if (!bound_) return;
  bound_ = false;
  host_.close();
  local_ip_ = 0;
  local_port_ = 0;
  keep_.reset();
  trace("close");
}

// --- multicast ---

void UdpSocket::group_joined(std::uint32_t group) {
  if (bound_ && !host_.joined(group)) add_group_receiver(group);
}

void UdpSocket::group_left(std::uint32_t group) { host_.leave(group); }

void UdpSocket::add_group_receiver(std::uint32_t group) {
  boost::system::error_code ec;
  if (host_.join(group, host_port(device_, local_port_), shared_from_this(), ec)) return;
  // The device joined (net.c ignores igmp_joingroup's result either way); only this host
  // cannot deliver the group here.
  if (udp_registry(device_).warn_once(group))
    NetState::warn("the host refused multicast group " + asio::ip::address_v4(group).to_string() +
                   " on " + host_.own().to_string() + " (" + ec.message() +
                   "): datagrams to it will not arrive");
}

// --- send ---

int UdpSocket::send_to(std::uint32_t ip, std::uint16_t port, std::string_view data) {
  if (!bound_) return k_err_conn;
  // udp_sendto_if: a pcb bound to an address that is not the interface's drops the datagram.
  if (!host_.is_open()) return k_err_val;
  // Scripts mostly talk to one peer: remember the last translation.
  if (ip != last_ip_ || port != last_port_ || last_target_.port() == 0) {
    last_target_ = host_target(device_, ip, port);
    last_ip_ = ip;
    last_port_ = port;
  }
  const udp::endpoint& target = last_target_;
  if (data.size() > k_max_udp_payload) {
    // Without IP_FRAG the datagram goes to the Wi-Fi driver unfragmented, bigger than a frame,
    // and does not arrive. The emulator drops it and says so.
    if (tracing()) trace("drop", {{"to", endpoint_text(target)}, {"bytes", data.size()}});
    if (!std::exchange(warned_big_send_, true))
      NetState::warn(name_ + ": UDP datagram of " + std::to_string(data.size()) + " bytes to " +
                     format_ipv4(ip) + " dropped: the device does not fragment, one datagram " +
                     "carries at most " + std::to_string(k_max_udp_payload) + " bytes");
    return k_ok;
  }
  // A device on loopback reaches nothing else (the host would refuse the datagram): dropped
  // here, so that no system call ever names an address outside this machine. Multicast stays
  // on the loopback interface (IP_MULTICAST_IF).
  const auto& to = target.address();
  if (host_.own().is_loopback() && !to.is_loopback() && !to.is_multicast()) {
    on_send_failed(ip, target, data.size(), asio::error::network_unreachable);
    return k_ok;
  }
  boost::system::error_code ec;
  host_.send_to(data, target, ip, ec);
  // The outbox is full and the host takes nothing more: lwIP is out of pbufs.
  if (ec) return k_err_mem;
  if (tracing()) trace("send", {{"to", endpoint_text(target)}, {"bytes", data.size()}});
  return k_ok;
}

// The datagram left the device (send() returned); the host refused it when the outbox went
// out, where the device would have sent it into its network.
void UdpSocket::on_send_failed(std::uint32_t ip, const udp::endpoint& to, std::size_t n,
                               const boost::system::error_code& ec) {
  if (tracing()) trace("drop", {{"to", endpoint_text(to)}, {"bytes", n}});
  // No buffer on the host: lost as a full Wi-Fi queue loses it, silently.
  if (ec == asio::error::no_buffer_space) return;
  // No host route from the emulated address (a device bound to loopback sending to the
  // Internet): on the device the datagram would leave and be lost; here it is lost at once.
  if (udp_registry(device_).warn_once(ip))
    NetState::warn(name_ + ": UDP datagrams to " + format_ipv4(ip) +
                   " cannot leave this machine from " + host_.own().to_string() + " (" +
                   ec.message() + "); they are dropped");
}

// --- receive ---

// net_udp_recv_cb: "receive"(sck, data, port, ip) once per datagram, unprotected.
void UdpSocket::on_datagram(const char* data, std::size_t n, const udp::endpoint& from) {
  if (device_.halted() || !bound_) return;
  std::uint32_t ip = from.address().is_v4() ? from.address().to_v4().to_uint() : 0;
  std::uint16_t port = from.port();
  // A datagram from this device's own sockets shows their device port, not the host one.
  const auto& own = host_.own();
  bool from_self = from.address() == own || (own.is_loopback() && from.address().is_loopback());
  if (from_self) port = device_port(device_, port);
  if (n > k_max_udp_payload) {
    // More than one frame carries: it would arrive fragmented, and the device does not
    // reassemble (IP_REASSEMBLY 0).
    if (tracing()) trace("drop", {{"from", endpoint_text(from)}, {"bytes", n}});
    if (!std::exchange(warned_big_receive_, true))
      NetState::warn(name_ + ": UDP datagram of " + std::to_string(n) + " bytes from " +
                     endpoint_text(from) + " dropped: the device does not reassemble datagrams " +
                     "over " + std::to_string(k_max_udp_payload) + " bytes");
    return;
  }
  if (tracing()) trace("recv", {{"from", endpoint_text(from)}, {"bytes", n}});
  if (!anchor_) return;  // no handler: the datagram is freed unseen
  if (!callbacks_.has(Event::receive)) return;
  device_.dispatch_pushed(core::Protection::unprotected, [this, data, n, port, ip](lua_State* L) {
    callbacks_.push(L, Event::receive);
    anchor_.push(L);
    lua_pushlstring(L, data, n);
    lua_pushinteger(L, port);
    push_ipv4(L, ip);
    return 4;
  });
}

// --- Lua bindings ---

namespace {
template <auto Method>
constexpr lua_CFunction udp_method = method<k_udpsocket_class, Method>;

// net.createUDPSocket(): arguments ignored.
int l_create(lua_State* L) {
  return push_new_udp_socket(L);
}
}  // namespace

int push_new_udp_socket(lua_State* L) {
  core::Device& d = core::Device::from(L);
  // The userdata's memory first: if that raises, no socket exists yet to leak.
  lua::new_userdata_from<Handle<UdpSocket>>(L, k_udpsocket_class, [&d] {
    auto socket = std::make_shared<UdpSocket>(d);
    udp_registry(d).add(socket);
    return socket;
  });
  return 1;
}

void open_udp(lua_State* L) {
  static const luaL_Reg methods[] = {{"listen", udp_method<&UdpSocket::listen>},
                                     {"close", udp_method<&UdpSocket::close>},
                                     {"on", udp_method<&UdpSocket::on>},
                                     {"send", udp_method<&UdpSocket::send>},
                                     {"dns", udp_method<&UdpSocket::dns>},
                                     {"ttl", udp_method<&UdpSocket::ttl>},
                                     {"getaddr", udp_method<&UdpSocket::getaddr>},
                                     {"__gc", lua::destroy_userdata<Handle<UdpSocket>>},
                                     {"__tostring", to_string<k_udpsocket_class, UdpSocket>},
                                     {nullptr, nullptr}};
  lua::new_class(L, k_udpsocket_class, methods);
  lua_pushcfunction(L, l_create);
  lua_setfield(L, -2, "createUDPSocket");
}

}  // namespace nodemcu_emu::net
