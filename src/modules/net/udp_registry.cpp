#include "modules/net/udp_registry.hpp"

#include "core/ip/address.hpp"
#include "modules/net/net_state.hpp"
#include "modules/net/udp_socket.hpp"

namespace nodemcu_emu::net {

namespace {
// lwIP's DNS client binds its pcb at boot (dns_init: udp_bind(any, 0)), so it holds the first
// port of the range and a script's first port-0 socket gets 4097.
constexpr std::uint16_t k_dns_client_port = k_udp_port_first;
constexpr std::uint32_t k_all_systems_group = 0xE0000001u;  // 224.0.0.1, owned by igmp_start
}  // namespace

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
  bool taken = port == k_dns_client_port;
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
    NetState::warn("net.multicastJoin(" + format_ipv4(group) + ") ignored: the IGMP group " +
                   "table is full (" + std::to_string(limit) + " groups, --limits igmp=N); " +
                   "the device ignores it without a word");
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

UdpRegistry& udp_registry(core::Device& d) {
  return d.module_state<UdpRegistry>();
}

}  // namespace nodemcu_emu::net
