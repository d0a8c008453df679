// net.udpsocket (spec/net.md 5): the binding of one lwIP udp pcb. The host sockets standing in
// for it are a UdpHost; the device's pcb list (ports, groups) is the UdpRegistry.
#pragma once

#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/device.hpp"
#include "modules/net/net_object.hpp"
#include "modules/net/udp_host.hpp"
#include "modules/net/udp_registry.hpp"

namespace nodemcu_emu::net {

// The largest payload the device sends or receives in one datagram: MTU 1500 less the IP and
// UDP headers. IP fragmentation and reassembly are compiled out (IP_FRAG 0, IP_REASSEMBLY 0).
constexpr std::size_t k_max_udp_payload = 1472;

class UdpSocket : public UdpHost::Listener, public std::enable_shared_from_this<UdpSocket> {
 public:
  explicit UdpSocket(core::Device& d);
  ~UdpSocket() override;
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
  // udp_bind: `ip` device-side (0 = any), port 0 = lowest free from 4096. Returns an err_t.
  int bind(std::uint32_t ip, std::uint16_t port);
  // udp_sendto. Returns an err_t; k_ok also when the datagram is lost where the device would
  // lose it (too big to go unfragmented, no host route from the emulated address).
  int send_to(std::uint32_t ip, std::uint16_t port, std::string_view data);
  // udp_remove: nothing arrives afterwards.
  void remove();
  void set_ttl(int ttl);

  bool bind_host(std::uint16_t device_port, int& err);
  void add_group_receiver(std::uint32_t group);
  // net_udp_recv_cb: one datagram from the host sockets.
  void on_datagram(const char* data, std::size_t n,
                   const boost::asio::ip::udp::endpoint& from) override;
  // A datagram send() queued (to device address `ip`) did not leave the host.
  void on_send_failed(std::uint32_t ip, const boost::asio::ip::udp::endpoint& to, std::size_t n,
                      const boost::system::error_code& ec) override;
  // net_dns_cb: "dns"(sck, ip|nil), then the anchor goes if nothing else needs it. Returns the
  // status of a synchronous call (its error is then on the Lua stack).
  int dns_answer(std::optional<std::uint32_t> ip, bool sync);
  // A query is over: unpins the socket when nothing else needs the anchor.
  void finish_dns();
  void trace(std::string_view event, std::initializer_list<core::Trace::Field> fields = {});
  bool tracing() { return device_.trace().enabled(); }

  core::Device& device_;
  std::string name_;
  Callbacks<> callbacks_;
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
  // The pcb on the host. Its own socket is absent when bound to an address that is not the
  // device's (lwIP accepts the bind; that pcb then receives only broadcast/multicast and its
  // sends fail with ERR_VAL).
  UdpHost host_;
  core::EventLoop::KeepAlive keep_;
  // The host endpoint of the last destination (port 0: none yet).
  std::uint32_t last_ip_ = 0;
  std::uint16_t last_port_ = 0;
  boost::asio::ip::udp::endpoint last_target_;
};

}  // namespace nodemcu_emu::net
