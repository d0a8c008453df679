#include "modules/net/udp_host.hpp"

#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/unicast.hpp>

#include "core/ip/free_port.hpp"

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::udp;

// One host socket and its receive buffer, shared with the pending receive so that closing the
// socket never frees memory an aborted operation still refers to.
struct UdpHost::Receiver {
  static constexpr std::size_t k_buffer_size = 65536;
  explicit Receiver(asio::io_context& io) : socket(io) {}
  udp::socket socket;
  udp::endpoint from;
  // Bigger than the device could ever take, so an oversized datagram is seen whole and dropped.
  std::unique_ptr<char[]> buffer = std::make_unique<char[]>(k_buffer_size);
};

std::shared_ptr<UdpHost::Receiver> UdpHost::open_receiver(const asio::ip::address& address,
                                                          std::uint16_t host_port, bool shared,
                                                          boost::system::error_code& ec) {
  auto r = std::make_shared<Receiver>(io_);
  r->socket.open(address.is_v6() ? udp::v6() : udp::v4(), ec);
  // Only the broadcast/group sockets share their port (every device and peer on the port must
  // hear them); the pcb's own socket is exclusive, as udp_bind is.
  if (!ec && shared) r->socket.set_option(asio::socket_base::reuse_address(true), ec);
  core::ip::release_reserved_port(host_port);  // a --port-map P=0 port: ours from now on
  if (!ec) r->socket.bind(udp::endpoint(address, host_port), ec);
  if (!ec) r->socket.non_blocking(true, ec);
  if (ec) return nullptr;
  return r;
}

// Broadcast allowed (lwIP has no SOF_BROADCAST filter, IP_SOF_BROADCAST 0); multicast leaving
// through the device's own address (never a real interface) and looped back so that peers on
// this machine hear it.
bool UdpHost::open(std::uint16_t host_port, int ttl, boost::system::error_code& ec) {
  auto r = open_receiver(own_, host_port, false, ec);
  if (!r) return false;
  main_ = std::move(r);
  boost::system::error_code ignored;
  auto& s = main_->socket;
  s.set_option(asio::socket_base::broadcast(true), ignored);
  if (own_.is_v4()) s.set_option(asio::ip::multicast::outbound_interface(own_.to_v4()), ignored);
  s.set_option(asio::ip::multicast::enable_loopback(true), ignored);
  set_ttl(ttl);
  return true;
}

void UdpHost::receive(const ListenerPtr& listener) {
  if (main_) start_receive(main_, listener);
}

void UdpHost::listen_broadcast(const asio::ip::address_v4& broadcast, std::uint16_t host_port,
                               const ListenerPtr& listener) {
  boost::system::error_code ec;
  broadcast_ = open_receiver(broadcast, host_port, true, ec);
  if (broadcast_) start_receive(broadcast_, listener);
}

bool UdpHost::join(std::uint32_t group, std::uint16_t host_port, const ListenerPtr& listener,
                   boost::system::error_code& ec) {
  auto address = asio::ip::address_v4(group);
  auto r = open_receiver(address, host_port, true, ec);
  if (r) {
    if (own_.is_v4())
      r->socket.set_option(asio::ip::multicast::join_group(address, own_.to_v4()), ec);
    else
      r->socket.set_option(asio::ip::multicast::join_group(address), ec);
  }
  if (!r || ec) return false;
  groups_.emplace(group, r);
  start_receive(r, listener);
  return true;
}

void UdpHost::leave(std::uint32_t group) {
  auto it = groups_.find(group);
  if (it == groups_.end()) return;
  boost::system::error_code ec;
  it->second->socket.close(ec);
  groups_.erase(it);
}

void UdpHost::set_ttl(int ttl) {
  if (!main_ || ttl == 0) return;
  boost::system::error_code ec;
  main_->socket.set_option(asio::ip::unicast::hops(ttl), ec);
  main_->socket.set_option(asio::ip::multicast::hops(ttl), ec);
}

std::size_t UdpHost::send_to(std::string_view data, const udp::endpoint& to,
                             boost::system::error_code& ec) {
  return main_->socket.send_to(asio::buffer(data.data(), data.size()), to, 0, ec);
}

void UdpHost::close() {
  boost::system::error_code ec;
  if (main_) main_->socket.close(ec);
  if (broadcast_) broadcast_->socket.close(ec);
  for (auto& entry : groups_) entry.second->socket.close(ec);
  main_.reset();
  broadcast_.reset();
  groups_.clear();
}

namespace {
// Datagrams read per readiness, as libuv reads them (uv__udp_recvmsg: 32): each one left to
// its own async_receive_from would be a posted completion and a reactor turn (an epoll_wait)
// of its own; the bound keeps one busy socket from starving the others and the timers.
constexpr int k_batch = 32;
}  // namespace

void UdpHost::start_receive(const std::shared_ptr<Receiver>& r, const ListenerPtr& listener) {
  r->socket.async_receive_from(
      asio::buffer(r->buffer.get(), Receiver::k_buffer_size), r->from,
      [r, listener](const boost::system::error_code& ec, std::size_t n) {
        if (ec == asio::error::operation_aborted || !r->socket.is_open()) return;
        // Other errors (an ICMP report queued on the socket) lose no datagram: read on.
        if (!ec) listener->on_datagram(r->buffer.get(), n, r->from);
        // The listener may close this socket or leave the group at any datagram.
        for (int i = 1; i < k_batch && r->socket.is_open(); ++i) {
          boost::system::error_code more;
          std::size_t m = r->socket.receive_from(
              asio::buffer(r->buffer.get(), Receiver::k_buffer_size), r->from, 0, more);
          if (more == asio::error::would_block || more == asio::error::try_again) break;
          if (!more) listener->on_datagram(r->buffer.get(), m, r->from);
        }
        if (r->socket.is_open()) start_receive(r, listener);
      });
}

}  // namespace nodemcu_emu::net
