// net.udpsocket: the host side (UdpSocket, UdpRegistry) and the Lua methods (spec/net.md 5).
#include "modules/net/udp_socket.hpp"

#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/unicast.hpp>
#include <cstring>

#include "lua/userdata.hpp"
#include "modules/net/address.hpp"
#include "modules/net/dns_resolver.hpp"
#include "modules/net/lwip_errors.hpp"
#include "modules/net/net_parts.hpp"
#include "modules/net/net_state.hpp"
#include "modules/net/station.hpp"

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

// lwIP's DNS client binds its pcb at boot (dns_init: udp_bind(any, 0)), so it holds the first
// port of the range and a script's first port-0 socket gets 4097.
constexpr std::uint16_t k_dns_client_port = k_udp_port_first;
constexpr std::uint32_t k_broadcast = 0xFFFFFFFFu;
constexpr std::uint32_t k_all_systems_group = 0xE0000001u;  // 224.0.0.1, joined by igmp_start

bool is_multicast(std::uint32_t ip) { return (ip & 0xF0000000u) == 0xE0000000u; }

std::string endpoint_text(const udp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

}  // namespace

// One host socket and its receive buffer; shared with the pending receive so that closing the
// socket never frees memory an aborted operation still refers to.
struct UdpSocket::Receiver {
  explicit Receiver(asio::io_context& io) : socket(io) {}
  udp::socket socket;
  udp::endpoint from;
  // Bigger than the device could ever take, so an oversized datagram is seen whole and dropped.
  std::unique_ptr<char[]> buffer = std::make_unique<char[]>(k_buffer_size);
  static constexpr std::size_t k_buffer_size = 65536;
};

UdpSocket::UdpSocket(core::Device& d) : device_(d), name_(net_state(d).next_name("udp")) {}

UdpSocket::~UdpSocket() { remove(); }

// ---------------------------------------------------------------------------------------------
// bind

int UdpSocket::bind(std::uint32_t ip, std::uint16_t port) {
  auto& registry = udp_registry(device_);
  // Only the device's own address (or any) exists on the device's interface; lwIP still binds
  // any other address, and such a pcb then receives only broadcast and multicast.
  bool own = ip == 0 || ip == station_info(device_).ip;
  std::optional<int> err;
  if (port != 0) {
    if (registry.in_use(this, ip, port)) return k_err_use;
    if (own && !bind_host(port, err)) return *err;
  } else {
    for (std::uint32_t p = k_udp_port_first;; ++p) {
      if (p > k_udp_port_last) return k_err_use;  // udp_bind: "out of free UDP ports"
      if (registry.port_taken(static_cast<std::uint16_t>(p))) continue;
      // A host port another program holds is not free for the device either: try the next.
      if (own && !bind_host(static_cast<std::uint16_t>(p), err)) {
        if (*err != k_err_use) return *err;
        continue;
      }
      port = static_cast<std::uint16_t>(p);
      break;
    }
  }
  bound_ = true;
  local_ip_ = ip;
  local_port_ = port;
  keep_ = device_.loop().keep_alive();
  if (device_.trace().enabled())
    device_.trace().emit(device_.loop().now(), name_, "bind",
                         {{"ip", format_ipv4(ip)}, {"port", static_cast<int>(port)}});
  // Broadcasts reach every pcb on the port (udp_input); on the host they come to a socket
  // bound to the broadcast address, shared with the other devices and programs on that port.
  auto sta = station_info(device_);
  if (sta.ip != 0) {
    boost::system::error_code ec;
    broadcast_ = open_receiver(asio::ip::address_v4(sta.broadcast()),
                               host_port(device_, port), true, ec);
    if (broadcast_) start_receive(broadcast_);
  }
  for (const auto& [group, uses] : registry.groups()) add_group_receiver(group);
  if (main_) start_receive(main_);
  return k_ok;
}

bool UdpSocket::bind_host(std::uint16_t device_port, std::optional<int>& err) {
  boost::system::error_code ec;
  std::uint16_t hport = host_port(device_, device_port);
  auto r = open_receiver(bind_address(device_), hport, false, ec);
  if (!r) {
    // Taken by another program, or not bindable at all here: either way the port is not
    // the device's to have.
    err = k_err_use;
    if (ec != asio::error::address_in_use)
      NetState::warn("nodemcu-emu: UDP port " + std::to_string(device_port) + " (host port " +
                     std::to_string(hport) + ") cannot be bound on the host (" + ec.message() +
                     "); --port-map " + std::to_string(device_port) + "=<port> may help");
    return false;
  }
  main_ = std::move(r);
  configure_sender();
  return true;
}

std::shared_ptr<UdpSocket::Receiver> UdpSocket::open_receiver(asio::ip::address address,
                                                              std::uint16_t host_port, bool shared,
                                                              boost::system::error_code& ec) {
  auto r = std::make_shared<Receiver>(device_.loop().io());
  r->socket.open(address.is_v6() ? udp::v6() : udp::v4(), ec);
  if (ec) return nullptr;
  // Only the broadcast/group sockets share their port (every device and peer on that port
  // must hear them); the pcb's own socket is exclusive, as udp_bind is.
  if (shared) r->socket.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) r->socket.bind(udp::endpoint(address, host_port), ec);
  if (!ec) r->socket.non_blocking(true, ec);
  if (ec) return nullptr;
  return r;
}

// What the pcb's datagrams need on the host: broadcast allowed (lwIP has no SOF_BROADCAST
// filter, IP_SOF_BROADCAST 0), multicast leaving through the device's own address (never a
// real interface), looped back so that a test on this machine hears it, and the pcb's TTL.
void UdpSocket::configure_sender() {
  boost::system::error_code ec;
  auto& s = main_->socket;
  s.set_option(asio::socket_base::broadcast(true), ec);
  auto own = bind_address(device_);
  if (own.is_v4()) s.set_option(asio::ip::multicast::outbound_interface(own.to_v4()), ec);
  s.set_option(asio::ip::multicast::enable_loopback(true), ec);
  set_ttl(ttl_);
}

void UdpSocket::set_ttl(int ttl) {
  ttl_ = static_cast<std::uint8_t>(ttl);
  // The host refuses TTL 0; such datagrams still reach this machine's peers.
  if (!main_ || ttl_ == 0) return;
  boost::system::error_code ec;
  main_->socket.set_option(asio::ip::unicast::hops(ttl_), ec);
  main_->socket.set_option(asio::ip::multicast::hops(ttl_), ec);
}

void UdpSocket::remove() {
  if (!bound_) return;
  bound_ = false;
  boost::system::error_code ec;
  if (main_) main_->socket.close(ec);
  if (broadcast_) broadcast_->socket.close(ec);
  for (auto& [group, r] : groups_) r->socket.close(ec);
  main_.reset();
  broadcast_.reset();
  groups_.clear();
  local_ip_ = 0;
  local_port_ = 0;
  keep_.reset();
  if (device_.trace().enabled()) device_.trace().emit(device_.loop().now(), name_, "close");
}

// ---------------------------------------------------------------------------------------------
// multicast

void UdpSocket::group_joined(std::uint32_t group) {
  if (bound_ && groups_.find(group) == groups_.end()) add_group_receiver(group);
}

void UdpSocket::group_left(std::uint32_t group) {
  auto it = groups_.find(group);
  if (it == groups_.end()) return;
  boost::system::error_code ec;
  it->second->socket.close(ec);
  groups_.erase(it);
}

void UdpSocket::add_group_receiver(std::uint32_t group) {
  boost::system::error_code ec;
  auto address = asio::ip::address_v4(group);
  auto r = open_receiver(address, host_port(device_, local_port_), true, ec);
  if (r) {
    auto own = bind_address(device_);
    if (own.is_v4())
      r->socket.set_option(asio::ip::multicast::join_group(address, own.to_v4()), ec);
    else
      r->socket.set_option(asio::ip::multicast::join_group(address), ec);
  }
  if (!r || ec) {
    // The device joined (igmp_joingroup's result is ignored by net.c either way); only the
    // host cannot deliver the group here.
    if (udp_registry(device_).warn_once(group))
      NetState::warn("nodemcu-emu: the host refused multicast group " + address.to_string() +
                     " on " + bind_address(device_).to_string() + " (" + ec.message() +
                     "); datagrams to it will not arrive");
    return;
  }
  groups_.emplace(group, r);
  start_receive(r);
}

// ---------------------------------------------------------------------------------------------
// send

// Where a datagram the device addresses to ip:port goes on the host.
static udp::endpoint host_target(const core::Device& d, std::uint32_t ip, std::uint16_t port) {
  auto sta = station_info(d);
  bool broadcast = ip == k_broadcast || (sta.ip != 0 && ip == sta.broadcast());
  // The device's network is this machine: a broadcast goes to its broadcast address (on
  // loopback 127.255.255.255, which never leaves the host) where the devices listen.
  if (broadcast && sta.ip != 0) return {asio::ip::address_v4(sta.broadcast()), host_port(d, port)};
  if (broadcast || is_multicast(ip)) return {asio::ip::address_v4(ip), host_port(d, port)};
  auto target = connect_target(d, ip, port);
  return {target.address(), target.port()};
}

int UdpSocket::send_to(std::uint32_t ip, std::uint16_t port, std::string_view data) {
  if (!bound_) return k_err_conn;
  // udp_sendto_if: a pcb bound to an address that is not the interface's drops the datagram.
  if (!main_) return k_err_val;
  auto target = host_target(device_, ip, port);
  if (data.size() > k_max_udp_payload) {
    // Without IP_FRAG the datagram is handed to the Wi-Fi driver unfragmented, larger than a
    // frame; it does not arrive. The emulator drops it and says so.
    if (device_.trace().enabled())
      device_.trace().emit(device_.loop().now(), name_, "drop",
                           {{"to", endpoint_text(target)}, {"bytes", data.size()}});
    if (!std::exchange(warned_big_send_, true))
      NetState::warn("nodemcu-emu: " + name_ + ": UDP datagram of " + std::to_string(data.size()) +
                   " bytes to " + format_ipv4(ip) + " dropped: the device does not fragment, " +
                   std::to_string(k_max_udp_payload) + " bytes is the most one datagram carries");
    return k_ok;
  }
  boost::system::error_code ec;
  main_->socket.send_to(asio::buffer(data.data(), data.size()), target, 0, ec);
  if (ec == asio::error::would_block || ec == asio::error::no_buffer_space) return k_err_mem;
  if (ec) {
    // No host route from the emulated address (a device bound to loopback sending to the
    // Internet): on the device the datagram would leave and be lost; here it is lost now.
    if (udp_registry(device_).warn_once(ip))
      NetState::warn("nodemcu-emu: " + name_ + ": UDP datagram to " + format_ipv4(ip) +
                     " cannot leave this machine from " + bind_address(device_).to_string() +
                     " (" + ec.message() + "); it is dropped");
    return k_ok;
  }
  if (device_.trace().enabled())
    device_.trace().emit(device_.loop().now(), name_, "send",
                         {{"to", endpoint_text(target)}, {"bytes", data.size()}});
  return k_ok;
}

// ---------------------------------------------------------------------------------------------
// receive

void UdpSocket::start_receive(const std::shared_ptr<Receiver>& r) {
  r->socket.async_receive_from(
      asio::buffer(r->buffer.get(), Receiver::k_buffer_size), r->from,
      [self = shared_from_this(), r](const boost::system::error_code& ec, std::size_t n) {
        self->on_datagram(r, ec, n);
      });
}

void UdpSocket::on_datagram(const std::shared_ptr<Receiver>& r,
                            const boost::system::error_code& ec, std::size_t n) {
  if (ec == asio::error::operation_aborted || !r->socket.is_open()) return;
  // Other errors (an ICMP report queued on the socket) lose nothing: read on.
  if (!ec) deliver(r->buffer.get(), n, r->from);
  // The callback may have closed this socket or left the group.
  if (r->socket.is_open()) start_receive(r);
}

// net_udp_recv_cb: "receive"(sck, data, port, ip) once per datagram, unprotected.
void UdpSocket::deliver(const char* data, std::size_t n, const udp::endpoint& from) {
  if (device_.halted() || !bound_) return;
  std::uint32_t ip = from.address().is_v4() ? from.address().to_v4().to_uint() : 0;
  std::uint16_t port = from.port();
  // A datagram from this device's own sockets shows their device port, not the host one.
  auto own = bind_address(device_);
  if (own.is_v4() && (from.address() == own || (own.to_v4().is_loopback() &&
                                                from.address().is_v4() &&
                                                from.address().to_v4().is_loopback())))
    port = device_port(device_, port);
  if (n > k_max_udp_payload) {
    // Bigger than one frame: it would arrive fragmented, and the device does not reassemble.
    if (device_.trace().enabled())
      device_.trace().emit(device_.loop().now(), name_, "drop",
                           {{"from", endpoint_text(from)}, {"bytes", n}});
    if (!std::exchange(warned_big_receive_, true))
      NetState::warn("nodemcu-emu: " + name_ + ": UDP datagram of " + std::to_string(n) +
                   " bytes from " + endpoint_text(from) +
                   " dropped: the device does not reassemble datagrams over " +
                   std::to_string(k_max_udp_payload) + " bytes");
    return;
  }
  if (device_.trace().enabled())
    device_.trace().emit(device_.loop().now(), name_, "recv",
                         {{"from", endpoint_text(from)}, {"bytes", n}});
  if (!anchor || !on_receive) return;  // no handler: the datagram is freed unseen
  lua_State* L = device_.L();
  on_receive.push(L);
  anchor.push(L);
  lua_pushlstring(L, data, n);
  lua_pushinteger(L, port);
  lua_pushstring(L, format_ipv4(ip).c_str());
  device_.call(4, core::Protection::unprotected);
}

// ---------------------------------------------------------------------------------------------
// UdpRegistry

UdpRegistry::UdpRegistry(core::Device& d) : device_(d) {}

void UdpRegistry::add(const std::shared_ptr<UdpSocket>& s) {
  std::erase_if(sockets_, [](const std::weak_ptr<UdpSocket>& w) { return w.expired(); });
  sockets_.push_back(s);
}

template <class F>
void UdpRegistry::for_each(F f) const {
  for (const auto& w : sockets_)
    if (auto s = w.lock(); s && s->has_pcb()) f(*s);
}

bool UdpRegistry::in_use(const UdpSocket* self, std::uint32_t ip, std::uint16_t port) const {
  bool used = false;
  for_each([&](const UdpSocket& s) {
    if (&s != self && s.local_port() == port &&
        (s.local_ip() == 0 || ip == 0 || s.local_ip() == ip))
      used = true;
  });
  return used;
}

bool UdpRegistry::port_taken(std::uint16_t port) const {
  if (port == k_dns_client_port) return true;
  bool taken = false;
  for_each([&](const UdpSocket& s) { taken = taken || s.local_port() == port; });
  return taken;
}

bool UdpRegistry::join(std::uint32_t group) {
  // igmp_joingroup refuses non-multicast addresses and the all-systems group it owns.
  if (!is_multicast(group) || group == k_all_systems_group) return false;
  if (auto it = groups_.find(group); it != groups_.end()) {
    ++it->second;
    return true;
  }
  int limit = device_.options().limits.igmp;
  if (limit > 0 && static_cast<int>(groups_.size()) >= limit) {
    NetState::warn("nodemcu-emu: net.multicastJoin(" + format_ipv4(group) +
                   ") ignored: the IGMP group table is full (" + std::to_string(limit) +
                   " groups, --limits igmp=N); the device ignores it silently");
    return false;
  }
  groups_.emplace(group, 1);
  for_each([&](UdpSocket& s) { s.group_joined(group); });
  return true;
}

bool UdpRegistry::leave(std::uint32_t group) {
  auto it = groups_.find(group);
  if (it == groups_.end()) return false;
  if (--it->second > 0) return true;
  groups_.erase(it);
  for_each([&](UdpSocket& s) { s.group_left(group); });
  return true;
}

bool UdpRegistry::warn_once(std::uint32_t key) { return warned_.insert(key).second; }

UdpRegistry& udp_registry(core::Device& d) { return d.module_state<UdpRegistry>(); }

