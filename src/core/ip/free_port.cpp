#include "core/ip/free_port.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

namespace nodemcu_emu::core::ip {

namespace asio = boost::asio;

std::uint16_t find_free_port(const asio::ip::address& address) {
  asio::io_context io;
  for (int attempt = 0; attempt < 20; ++attempt) {
    boost::system::error_code ec;
    asio::ip::tcp::acceptor tcp(io);
    tcp.open(address.is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), ec);
    if (!ec) tcp.bind({address, 0}, ec);
    if (ec) return 0;  // not an address of this host: nothing to find
    std::uint16_t port = tcp.local_endpoint(ec).port();
    if (ec) return 0;
    asio::ip::udp::socket udp(io);
    udp.open(address.is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
    if (!ec) udp.bind({address, port}, ec);
    if (!ec) return port;
  }
  return 0;
}

}  // namespace nodemcu_emu::core::ip
