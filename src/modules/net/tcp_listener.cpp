#include "modules/net/tcp_listener.hpp"

#include <sys/socket.h>

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::tcp;

bool TcpListener::open(const tcp::endpoint& endpoint, boost::system::error_code& ec,
                       bool& listen_failed) {
  listen_failed = false;
  tcp::acceptor acceptor(io_);
  acceptor.open(endpoint.protocol(), ec);
  // Every lwIP server pcb has SOF_REUSEADDR: two servers may share a port (net.md 3.1).
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  int one = 1;
  if (!ec) ::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (!ec) acceptor.bind(endpoint, ec);
  if (ec) return false;
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    listen_failed = true;
    return false;
  }
  acceptor_.emplace(std::move(acceptor));
  ++generation_;
  return true;
}

std::uint16_t TcpListener::port() const {
  boost::system::error_code ec;
  return acceptor_ ? acceptor_->local_endpoint(ec).port() : 0;
}

void TcpListener::resume() {
  if (!acceptor_ || accepting_) return;
  auto events = events_.lock();
  if (!events || !events->may_accept()) return;
  accepting_ = true;
  acceptor_->async_accept(peer_, [self = shared_from_this(), generation = generation_](
                                     const boost::system::error_code& ec, tcp::socket socket) {
    self->accepting_ = false;
    if (!self->acceptor_ || self->generation_ != generation) return;
    if (!ec) {
      if (auto events = self->events_.lock()) events->on_accepted(std::move(socket), self->peer_);
    }
    self->resume();
  });
}

void TcpListener::close() {
  ++generation_;
  if (acceptor_) {
    boost::system::error_code ec;
    acceptor_->close(ec);
    acceptor_.reset();
  }
}

}  // namespace nodemcu_emu::net
