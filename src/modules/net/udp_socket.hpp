// UDP sockets (net.udpsocket, spec/net.md 5). One lwIP udp pcb is stood in for by a host socket
// bound to the device's address. lwIP also hands every pcb on a port the broadcasts and the
// datagrams of joined multicast groups for that port; on the host those arrive through extra
// sockets bound to the broadcast/group address (they never take unicast traffic from anyone).
#pragma once

#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/device.hpp"
#include "lua/ref.hpp"

namespace nodemcu_emu::net {

// The largest payload the device sends or receives in one datagram: MTU 1500 less the IP and
// UDP headers. IP fragmentation and reassembly are compiled out (IP_FRAG 0, IP_REASSEMBLY 0).
constexpr std::size_t k_max_udp_payload = 1472;
// lwIP's UDP_LOCAL_PORT_RANGE_START/END: udp_bind(port 0) takes the lowest free port here.
constexpr std::uint16_t k_udp_port_first = 4096;
constexpr std::uint16_t k_udp_port_last = 0x7fff;
// IP_DEFAULT_TTL: what a new pcb sends with.
constexpr int k_default_ttl = 255;

class UdpSocket : public std::enable_shared_from_this<UdpSocket> {
 public:
  explicit UdpSocket(core::Device& d);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // udp_new + udp_bind: `ip` is the device-side address (0 = any), port 0 the lowest free port
  // from 4096. Returns an err_t (k_err_use when the port is taken on the device or the host).
  int bind(std::uint32_t ip, std::uint16_t port);
  // udp_sendto. Returns an err_t; k_ok also when the datagram is lost where the device would
  // lose it (too big to send unfragmented, or no host route from the emulated address).
  int send_to(std::uint32_t ip, std::uint16_t port, std::string_view data);
  // udp_remove: nothing arrives afterwards.
  void remove();

  bool has_pcb() const { return bound_; }
  std::uint32_t local_ip() const { return local_ip_; }
  std::uint16_t local_port() const { return local_port_; }
  // The pcb's ttl is a u8: ttl(300) stores 44.
  int ttl() const { return ttl_; }
  void set_ttl(int ttl);

  // The device joined/left a multicast group (net.multicastJoin/Leave): datagrams to it on
  // this pcb's port now arrive / stop arriving.
  void group_joined(std::uint32_t group);
  void group_left(std::uint32_t group);

  const std::string& name() const { return name_; }
  core::Device& device() { return device_; }

  // The Lua side, as net.c's lnet_userdata: callback slots, the registry self reference that
  // keeps a bound socket (or one waiting for DNS) alive, and the pending dns() count.
  lua::Ref on_receive, on_sent, on_dns;
  lua::Ref anchor;
  int wait_dns = 0;

 private:
  struct Receiver;

  bool bind_host(std::uint16_t device_port, std::optional<int>& err);
  std::shared_ptr<Receiver> open_receiver(boost::asio::ip::address address,
                                          std::uint16_t host_port, bool shared,
                                          boost::system::error_code& ec);
  void add_group_receiver(std::uint32_t group);
  void start_receive(const std::shared_ptr<Receiver>& r);
  void on_datagram(const std::shared_ptr<Receiver>& r, const boost::system::error_code& ec,
                   std::size_t n);
  void deliver(const char* data, std::size_t n, const boost::asio::ip::udp::endpoint& from);
  void configure_sender();

  core::Device& device_;
  std::string name_;
  bool bound_ = false;
  std::uint32_t local_ip_ = 0;
  std::uint16_t local_port_ = 0;
  int ttl_ = k_default_ttl;
  // The pcb's own address on the host; absent when bound to an address that is not the
  // device's (lwIP accepts the bind, then that pcb receives only broadcast/multicast and its
  // sends fail with ERR_VAL).
  std::shared_ptr<Receiver> main_;
  std::shared_ptr<Receiver> broadcast_;
  std::map<std::uint32_t, std::shared_ptr<Receiver>> groups_;
  core::EventLoop::KeepAlive keep_;
};

// Per device: the pcb list (what udp_bind checks ports against) and the IGMP group table.
class UdpRegistry {
 public:
  explicit UdpRegistry(core::Device& d);

  void add(const std::shared_ptr<UdpSocket>& s);
  // udp_bind's conflict rule: same port and either address is any or both are equal.
  bool in_use(const UdpSocket* self, std::uint32_t ip, std::uint16_t port) const;
  bool port_taken(std::uint16_t port) const;

  // igmp_joingroup/leavegroup on the station interface; false when lwIP would refuse
  // (non-multicast address, 224.0.0.1, not joined, group table full).
  bool join(std::uint32_t group);
  bool leave(std::uint32_t group);
  const std::map<std::uint32_t, int>& groups() const { return groups_; }

 private:
  template <class F>
  void for_each(F f) const;

  core::Device& device_;
  std::vector<std::weak_ptr<UdpSocket>> sockets_;
  std::map<std::uint32_t, int> groups_;  // group -> use count
};

UdpRegistry& udp_registry(core::Device& d);

}  // namespace nodemcu_emu::net
