// net.udpsocket (spec/net.md 5). One lwIP udp pcb is stood in for by a host socket bound to the
// device's address. lwIP also hands every pcb on a port the broadcasts and the datagrams of
// joined multicast groups for that port; on the host those arrive through extra sockets bound
// to the broadcast/group address (which never take anyone's unicast traffic).
#pragma once

#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/device.hpp"
#include "modules/net/net_object.hpp"

namespace nodemcu_emu::net {

// The largest payload the device sends or receives in one datagram: MTU 1500 less the IP and
// UDP headers. IP fragmentation and reassembly are compiled out (IP_FRAG 0, IP_REASSEMBLY 0).
constexpr std::size_t k_max_udp_payload = 1472;
// lwIP's UDP_LOCAL_PORT_RANGE_START/END: udp_bind(port 0) takes the lowest free port here.
constexpr std::uint16_t k_udp_port_first = 4096;
constexpr std::uint16_t k_udp_port_last = 0x7fff;

class UdpSocket : public std::enable_shared_from_this<UdpSocket> {
 public:
  explicit UdpSocket(core::Device& d);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Lua methods (arg 1 is this socket).
  int listen(lua_State* L);
  int close(lua_State* L);
  int on(lua_State* L) { return set_callback(L, callbacks_, k_udp_events); }
  int send(lua_State* L);
  int dns(lua_State* L);
  int ttl(lua_State* L);
  int getaddr(lua_State* L);

  // The userdata was collected (net_delete): remove the pcb, release every ref.
  void collected();

  bool has_pcb() const { return bound_; }
  std::uint32_t local_ip() const { return local_ip_; }
  std::uint16_t local_port() const { return local_port_; }
  const std::string& name() const { return name_; }

  // The device joined/left a multicast group (net.multicastJoin/Leave): datagrams to it on
  // this pcb's port now arrive / stop arriving.
  void group_joined(std::uint32_t group);
  void group_left(std::uint32_t group);

 private:
  struct Receiver;

  // udp_bind: `ip` device-side (0 = any), port 0 = lowest free from 4096. Returns an err_t.
  int bind(std::uint32_t ip, std::uint16_t port);
  // udp_sendto. Returns an err_t; k_ok also when the datagram is lost where the device would
  // lose it (too big to go unfragmented, no host route from the emulated address).
  int send_to(std::uint32_t ip, std::uint16_t port, std::string_view data);
  // udp_remove: nothing arrives afterwards.
  void remove();
  void set_ttl(int ttl);

  bool bind_host(std::uint16_t device_port, int& err);
  std::shared_ptr<Receiver> open_receiver(const boost::asio::ip::address& address,
                                          std::uint16_t host_port, bool shared,
                                          boost::system::error_code& ec);
  void configure_sender();
  void add_group_receiver(std::uint32_t group);
  void start_receive(const std::shared_ptr<Receiver>& r);
  void on_datagram(const std::shared_ptr<Receiver>& r, const boost::system::error_code& ec,
                   std::size_t n);
  void deliver(const char* data, std::size_t n, const boost::asio::ip::udp::endpoint& from);
  // net_dns_cb: "dns"(sck, ip|nil), then the anchor goes if nothing else needs it. Returns the
  // status of a synchronous call (its error is then on the Lua stack).
  int dns_answer(std::optional<std::uint32_t> ip, bool sync);
  // A query is over: unpins the socket when nothing else needs the anchor.
  void finish_dns();
  void trace(std::string_view event, std::initializer_list<core::Trace::Field> fields = {});
  bool tracing() { return device_.trace().enabled(); }

  core::Device& device_;
  std::string name_;
  boost::asio::ip::address own_;  // the device's address on the host (--bind)
  Callbacks callbacks_;
  // net.c's self_ref: pins the userdata while bound or while a dns() query is pending.
  lua::Ref anchor_;
  int dns_pending_ = 0;
  bool bound_ = false;
  std::uint32_t local_ip_ = 0;
  std::uint16_t local_port_ = 0;
  int ttl_ = 255;  // IP_DEFAULT_TTL
  // Oversized datagrams are reported once per socket and direction (then only traced).
  bool warned_big_send_ = false;
  bool warned_big_receive_ = false;
  // The pcb's own address on the host; absent when bound to an address that is not the
  // device's (lwIP accepts the bind; that pcb then receives only broadcast/multicast and its
  // sends fail with ERR_VAL).
  std::shared_ptr<Receiver> main_;
  std::shared_ptr<Receiver> broadcast_;
  std::map<std::uint32_t, std::shared_ptr<Receiver>> groups_;
  core::EventLoop::KeepAlive keep_;
  // The host endpoint of the last destination (port 0: none yet).
  std::uint32_t last_ip_ = 0;
  std::uint16_t last_port_ = 0;
  boost::asio::ip::udp::endpoint last_target_;
};

// Per device: the pcb list (what udp_bind checks ports against) and the IGMP group table.
class UdpRegistry {
 public:
  explicit UdpRegistry(core::Device& d);

  void add(const std::shared_ptr<UdpSocket>& s);
  // udp_bind's conflict rule: same port and either address is any or both are equal.
  bool in_use(const UdpSocket* self, std::uint32_t ip, std::uint16_t port) const;
  // Whether udp_bind(port 0) must skip `port` (any pcb on it, whatever its address).
  bool port_taken(std::uint16_t port) const;

  // igmp_joingroup/leavegroup on the station interface; false where lwIP refuses (not a
  // multicast address, 224.0.0.1, not joined, group table full).
  bool join(std::uint32_t group);
  bool leave(std::uint32_t group);
  const std::map<std::uint32_t, int>& groups() const { return groups_; }

  // True the first time for `key` (an address): one warning per cause, not one per datagram.
  bool warn_once(std::uint32_t key) { return warned_.insert(key).second; }

 private:
  template <class F>
  void for_each(F f) const;

  core::Device& device_;
  std::vector<std::weak_ptr<UdpSocket>> sockets_;
  std::map<std::uint32_t, int> groups_;  // group -> use count
  std::set<std::uint32_t> warned_;
};

UdpRegistry& udp_registry(core::Device& d);

}  // namespace nodemcu_emu::net
