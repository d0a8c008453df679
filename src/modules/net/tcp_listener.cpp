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

// One connection per readiness: the watch is level-triggered, so the next one waiting in the
// backlog is reported again (served on a later turn, after the due timers).
void TcpListener::on_ready(std::uint32_t) {
  auto self = shared_from_this();  // the listen callback may close the server
  if (fd_ < 0) return;
  tcp::endpoint peer;
  socklen_t len = static_cast<socklen_t>(peer.capacity());
  int fd = ::accept4(fd_, peer.data(), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  // EAGAIN (another turn took it), a connection reset before it was taken, EMFILE: nothing now.
  if (fd < 0) return;
  peer.resize(len);
  if (auto events = events_.lock())
    events->on_accepted(fd, peer);
  else
    ::close(fd);
  resume();  // the limit may have been reached by this one
}

void TcpListener::close() {
  if (fd_ < 0) return;
  watch_.forget();
  ::close(std::exchange(fd_, -1));
}

}  // namespace nodemcu_emu::net
