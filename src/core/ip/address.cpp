#include "core/ip/address.hpp"

#include <arpa/inet.h>

#include <boost/asio/ip/tcp.hpp>

namespace nodemcu_emu::net {

namespace {
// The common spelling, "a.b.c.d" in plain decimal, without the C library: a UDP send parses
// its destination on every call. nullopt when the text is spelled any other way (then
// inet_aton decides: hex, octal — a leading 0 —, fewer parts, or not an address at all).
std::optional<std::uint32_t> parse_dotted_decimal(std::string_view text) {
  std::uint32_t address = 0;
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
    std::size_t start = i;
    unsigned value = 0;
    while (i < text.size() && i - start < 3 && text[i] >= '0' && text[i] <= '9')
      value = value * 10 + static_cast<unsigned>(text[i++] - '0');
    std::size_t digits = i - start;
    if (digits == 0 || value > 255 || (digits > 1 && text[start] == '0')) return std::nullopt;
    address = (address << 8) | value;
  }
  if (i != text.size()) return std::nullopt;
  return address;
}
}  // namespace

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  if (auto quick = parse_dotted_decimal(text)) return quick;
  char s[65];
  text.copy(s, text.size());
  s[text.size()] = '\0';
  in_addr a{};
  // inet_aton accepts exactly what lwIP's ipaddr_aton does (1-4 parts, hex/octal parts).
  if (inet_aton(s, &a) == 0) return std::nullopt;
  return ntohl(a.s_addr);
}

std::string format_ipv4(std::uint32_t host_order) {
  char text[16];
  format_ipv4(host_order, text);
  return text;
}

// Without snprintf: a UDP datagram's sender is formatted for every "receive" callback.
void format_ipv4(std::uint32_t a, char (&out)[16]) {
  char* p = out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    unsigned octet = (a >> shift) & 0xFF;
    if (octet >= 100) *p++ = static_cast<char>('0' + octet / 100);
    if (octet >= 10) *p++ = static_cast<char>('0' + octet / 10 % 10);
    *p++ = static_cast<char>('0' + octet % 10);
    *p++ = shift > 0 ? '.' : '\0';
  }
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
