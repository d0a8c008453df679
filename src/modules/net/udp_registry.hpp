// Per device: lwIP's udp pcb list (which ports are bound, udp_bind's port allocation) and the
// IGMP group table. Knows the sockets only through what udp_bind and igmp look at.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "core/device.hpp"
#include "modules/net/udp_host.hpp"

namespace nodemcu_emu::net {

class UdpSocket;

// lwIP's UDP_LOCAL_PORT_RANGE_START/END: udp_bind(port 0) takes the lowest free port here.
constexpr std::uint16_t k_udp_port_first = 4096;
constexpr std::uint16_t k_udp_port_last = 0x7fff;

inline bool is_multicast(std::uint32_t ip) {
  return (ip & 0xF0000000u) == 0xE0000000u;
}

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

  // Where every socket of the device reads its datagrams (made with the first socket).
  const std::shared_ptr<UdpHost::ReadBuffers>& read_buffers() {
    if (!read_buffers_) read_buffers_ = std::make_shared<UdpHost::ReadBuffers>();
    return read_buffers_;
  }

 private:
  template <class F>
  void for_each(F f) const;

  core::Device& device_;
  std::vector<std::weak_ptr<UdpSocket>> sockets_;
  std::map<std::uint32_t, int> groups_;  // group -> use count
  std::set<std::uint32_t> warned_;
  std::shared_ptr<UdpHost::ReadBuffers> read_buffers_;
};

UdpRegistry& udp_registry(core::Device& d);

}  // namespace nodemcu_emu::net
