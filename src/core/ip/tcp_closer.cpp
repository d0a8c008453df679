#include "core/ip/tcp_closer.hpp"

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace nodemcu_emu::net {

namespace {
// How long a closed connection waits for the peer's FIN before it closes anyway (the device's
// TIME_WAIT is 2*MSL = 10 s; the peer normally answers in microseconds on loopback).
constexpr auto k_drain_limit = std::chrono::seconds(10);

std::size_t unread(int fd) {
  int n = 0;
  return ::ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? static_cast<std::size_t>(n) : 0;
}

enum class Wrote { all, full, failed };

// Writes what the socket takes of the rest: the in-flight bytes from write_offset on, then the
// queued ones.
Wrote write_rest(int fd, TcpWrites& w) {
  for (;;) {
    while (w.write_offset < w.writing.size()) {
      ssize_t n = ::send(fd, w.writing.data() + w.write_offset, w.writing.size() - w.write_offset,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? Wrote::full : Wrote::failed;
      w.write_offset += static_cast<std::size_t>(n);
    }
    if (w.queued.empty()) return Wrote::all;
    w.writing.swap(w.queued);
    w.queued.clear();
    w.write_offset = 0;
  }
}
}  // namespace

void TcpCloser::finish(core::EventLoop& loop, Handover h) {
  // Connecting with nothing to send: closed at once (there is nothing to finish).
  if (h.connecting && !h.rest) h.connecting = false;
  Step step = advance(loop, h, h.connecting ? Step::connecting : Step::writing);
  if (step == Step::done) return;
  auto closer = std::make_shared<TcpCloser>(loop, std::move(h));
  closer->wait(step);
  if (closer->step_ != Step::done) loop.keep_until_done(std::move(closer));
}

TcpCloser::TcpCloser(core::EventLoop& loop, Handover h) : loop_(loop), h_(std::move(h)) {}

TcpCloser::~TcpCloser() {
  if (h_.fd >= 0) ::close(h_.fd);  // the loop went first
}

TcpCloser::Step TcpCloser::advance(core::EventLoop& loop, Handover& h, Step step) {
  if (step == Step::writing) {
    Wrote wrote = h.rest ? write_rest(h.fd, *h.rest) : Wrote::all;
    if (wrote == Wrote::full) return Step::writing;
    if (h.rest) loop.tcp_buffers().give_back(std::move(h.rest));
    // Nothing unread: close(2) now. The host sends what it holds, then FIN, as lwIP's
    // tcp_close does; data the peer sends after that is answered with RST, as the device's is
    // (tcp_close sets TF_RXCLOSED, and tcp_input aborts a pcb that receives data with it set).
    // Draining here would cost a wake-up and two system calls per connection for a peer that
    // is done. Unread data: close(2) would answer it with RST, which can make the peer's stack
    // discard the response it has not read yet: FIN instead, then read and drop until the
    // peer's FIN. (Not through the send ring: io_uring runs a shutdown on a worker thread of its
    // own, a context switch per FIN.)
    if (wrote == Wrote::all && unread(h.fd) > 0 && ::shutdown(h.fd, SHUT_WR) == 0)
      step = Step::draining;
    else
      step = Step::done;
  } else if (step == Step::draining) {
    std::vector<char>& buffer = loop.tcp_buffers().read;
    ssize_t n = ::recv(h.fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    bool more = n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR));
    step = more ? Step::draining : Step::done;  // the peer's FIN, or an error
  }
  if (step == Step::done && h.fd >= 0) {
    h.watch.forget();  // a closed descriptor leaves the epoll set by itself
    ::close(std::exchange(h.fd, -1));
    h.own.reset();
  }
  return step;
}

void TcpCloser::wait(Step step) {
  step_ = step;
  std::uint32_t events = step == Step::draining ? EPOLLIN : EPOLLOUT;
  if (h_.watch) {
    h_.watch.hand_over(*this);
    h_.watch.set(events);
  } else {
    boost::system::error_code ec;
    h_.watch = loop_.poller().watch(h_.fd, events, *this, ec);
    if (ec) return close_now();  // the host refuses another watch: closed as is
  }
  if (step == Step::draining && !enlisted()) {
    until_ = loop_.now() + k_drain_limit;  // one of the loop's Sweep: no timer of its own
    loop_.sweep().enlist(*this);
  }
}

void TcpCloser::on_ready(std::uint32_t events) {
  auto self = shared_from_this();  // close_now() lets the loop drop it
  Step step = step_;
  if (step == Step::connecting) {
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(h_.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return close_now();
    step = Step::writing;
  }
  step = advance(loop_, h_, step);
  if (step == Step::done) return close_now();
  if (step != step_) wait(step);
}

void TcpCloser::on_deadline(core::Micros) {
  auto self = shared_from_this();
  close_now();
}

// Done: the socket closes (if advance() did not), and the loop lets go of this closer.
void TcpCloser::close_now() {
  leave();
  if (h_.fd >= 0) {
    h_.watch.forget();
    ::close(std::exchange(h_.fd, -1));
  }
  h_.own.reset();
  step_ = Step::done;
  loop_.done(this);
}

}  // namespace nodemcu_emu::net
