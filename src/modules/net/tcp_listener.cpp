#include "modules/net/tcp_listener.hpp"

#include <sys/epoll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <cerrno>

#include "core/ip/free_port.hpp"
#include "core/ip/errno_code.hpp"

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using core::ip::from_errno;

bool TcpListener::open(const tcp::endpoint& endpoint, boost::system::error_code& ec,
                       bool& listen_failed) {
  listen_failed = false;
  int fd = ::socket(endpoint.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ec = from_errno(errno);
    return false;
  }
  // Every lwIP server pcb has SOF_REUSEADDR: two servers may share a port (net.md 3.1).
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  // Accepted sockets inherit it (Linux): no setsockopt per connection (TcpConnection).
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  core::ip::release_reserved_port(endpoint.port());  // a --port-map P=0 port: ours from now on
  if (::bind(fd, endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0) {
    ec = from_errno(errno);
    ::close(fd);
    return false;
  }
  if (::listen(fd, SOMAXCONN) != 0) {
    ec = from_errno(errno);
    listen_failed = true;
    ::close(fd);
    return false;
  }
  close();
  fd_ = fd;
  ec.clear();
  return true;
}

std::uint16_t TcpListener::port() const {
  tcp::endpoint local;
  socklen_t len = static_cast<socklen_t>(local.capacity());
  if (fd_ < 0 || ::getsockname(fd_, local.data(), &len) != 0) return 0;
  local.resize(len);
  return local.port();
}

void TcpListener::resume() {
  if (fd_ < 0) return;
  auto events = events_.lock();
  // At the limit the listener stops hearing of new connections (they wait in the backlog);
  // may_accept() has arranged for resume() when a slot frees.
  bool accepting = events && events->may_accept();
  if (watch_) return watch_.set(accepting ? EPOLLIN : 0u);
  if (!accepting) return;
  boost::system::error_code ec;
  watch_ = loop_.poller().watch(fd_, EPOLLIN, *this, ec);
}

// Up to accept_batch_ connections per readiness: each one left in the backlog would cost the
// loop a wake-up of its own (the Poller's re-arm and two epoll_wait). The watch is
// level-triggered: what is left is reported again, served on a later turn after the due timers.
void TcpListener::on_ready(std::uint32_t) {
  auto self = shared_from_this();  // a listen callback may close the server
  for (int taken = 0; taken < accept_batch_ && fd_ >= 0; ++taken) {
    auto events = events_.lock();
    // The first was allowed when the watch was armed; the limit may be reached since.
    if (taken > 0 && !(events && events->may_accept())) break;
    tcp::endpoint peer;
    socklen_t len = static_cast<socklen_t>(peer.capacity());
    int fd = ::accept4(fd_, peer.data(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    // EAGAIN (the backlog is empty), a connection reset before it was taken, EMFILE: no more now.
    if (fd < 0) break;
    peer.resize(len);
    if (!events) {
      ::close(fd);
      break;
    }
    events->on_accepted(fd, peer);
  }
  resume();  // the limit may have been reached
}

void TcpListener::close() {
  if (fd_ < 0) return;
  watch_.forget();
  ::close(std::exchange(fd_, -1));
}

}  // namespace nodemcu_emu::net
