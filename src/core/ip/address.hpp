// core/ip: the device's IP stack (lwIP's part of the firmware), shared by every module that
// talks to the network (net, sntp): in core, so that no module reaches into another.
// Addresses as the device sees them vs. the host sockets that stand in for them.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/device.hpp"

namespace nodemcu_emu::net {

// lwIP's ipaddr_aton: dotted quad (each part decimal, 0x hex or 0 octal, 1-4 parts as
// inet_aton). Returns nothing for anything else.
// lwIP's IPADDR_NONE (255.255.255.255): what ipaddr_addr gives for text that is not an address,
// and a DNS query's "no answer".
constexpr std::uint32_t k_ipaddr_none = 0xFFFFFFFFu;

std::optional<std::uint32_t> parse_ipv4(std::string_view text);
std::string format_ipv4(std::uint32_t host_order);
// The same into a caller's buffer (no allocation: usable where a Lua error may follow).
void format_ipv4(std::uint32_t host_order, char (&out)[16]);

// The host address every socket of this device binds (the device's own IP, --bind).
boost::asio::ip::address bind_address(const core::Device& d);
// Device port -> host port (--port-map), and back for getaddr.
std::uint16_t host_port(const core::Device& d, std::uint16_t device_port);
std::uint16_t device_port(const core::Device& d, std::uint16_t host_port);
// Where a connect to (ip, port) from the device goes on the host: the device's own address
// with a mapped port reaches its own (port-mapped) servers, everything else is as given.
boost::asio::ip::tcp::endpoint connect_target(const core::Device& d, std::uint32_t ip,
                                              std::uint16_t port);

}  // namespace nodemcu_emu::net
