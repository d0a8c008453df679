#include "core/ip/address.hpp"

#include <arpa/inet.h>

#include <cstdio>

#include <boost/asio/ip/tcp.hpp>

namespace nodemcu_emu::net {

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string s(text);
  in_addr a{};
  // inet_aton accepts exactly what lwIP's ipaddr_aton does (1-4 parts, hex/octal parts).
  if (inet_aton(s.c_str(), &a) == 0) return std::nullopt;
  return ntohl(a.s_addr);
}

std::string format_ipv4(std::uint32_t host_order) {
  return boost::asio::ip::address_v4(host_order).to_string();
}

void format_ipv4(std::uint32_t a, char (&out)[16]) {
  std::snprintf(out, sizeof out, "%u.%u.%u.%u", (a >> 24) & 0xFF, (a >> 16) & 0xFF, (a >> 8) & 0xFF,
                a & 0xFF);
}

boost::asio::ip::address bind_address(const core::Device& d) {
  return boost::asio::ip::make_address(d.options().bind_address);
}

std::uint16_t host_port(const core::Device& d, std::uint16_t device_port) {
  const auto& map = d.options().port_map;
  auto it = map.find(device_port);
  return it == map.end() ? device_port : it->second;
}

std::uint16_t device_port(const core::Device& d, std::uint16_t host_port) {
  for (const auto& [dev, host] : d.options().port_map)
    if (host == host_port) return dev;
  return host_port;
}

boost::asio::ip::tcp::endpoint connect_target(const core::Device& d, std::uint32_t ip,
                                              std::uint16_t port) {
  auto address = boost::asio::ip::address_v4(ip);
  auto own = bind_address(d);
  if (own.is_v4() && address == own.to_v4()) port = host_port(d, port);
  if (address.is_loopback() && own.is_v4() && own.to_v4().is_loopback()) port = host_port(d, port);
  return {address, port};
}

}  // namespace nodemcu_emu::net
