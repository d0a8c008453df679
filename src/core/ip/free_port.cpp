#include "core/ip/free_port.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <map>

namespace nodemcu_emu::core::ip {

namespace {

// The descriptors holding each reserved port. Process-wide like the --port-map they serve;
// one thread touches them (the emulator's start and the loop's binds).
struct Reservation {
  int tcp = -1;
  int udp = -1;
};

std::map<std::uint16_t, Reservation>& reservations() {
  static std::map<std::uint16_t, Reservation> held;
  return held;
}

void close_reservation(const Reservation& r) {
  if (r.tcp >= 0) ::close(r.tcp);
  if (r.udp >= 0) ::close(r.udp);
}

// A socket of `type` bound to address:port (0: the kernel picks); -1 when the bind fails.
int bound_socket(int type, const boost::asio::ip::address& address, std::uint16_t port) {
  boost::asio::ip::tcp::endpoint endpoint(address, port);  // only for its sockaddr
  int fd = ::socket(endpoint.protocol().family(), type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::bind(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t local_port(int fd) {
  sockaddr_storage name{};
  socklen_t length = sizeof name;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&name), &length) != 0) return 0;
  if (name.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&name)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&name)->sin_port);
}

}  // namespace

std::uint16_t reserve_free_port(const boost::asio::ip::address& address) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    Reservation r;
    r.tcp = bound_socket(SOCK_STREAM, address, 0);
    if (r.tcp < 0) return 0;  // not an address of this host: nothing to find
    std::uint16_t port = local_port(r.tcp);
    if (port != 0) r.udp = bound_socket(SOCK_DGRAM, address, port);
    if (r.udp >= 0 && !reservations().contains(port)) {
      reservations()[port] = r;
      return port;
    }
    close_reservation(r);
    if (port == 0) return 0;
  }
  return 0;
}

void release_reserved_port(std::uint16_t port) {
  if (port == 0) return;
  auto it = reservations().find(port);
  if (it == reservations().end()) return;
  close_reservation(it->second);
  reservations().erase(it);
}

}  // namespace nodemcu_emu::core::ip
