#include "core/ip/tcp_connection.hpp"
#include "core/ip/errno_code.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>

namespace nodemcu_emu::net {
using core::ip::from_errno;

namespace {
bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

void set_int_option(int fd, int level, int name, int value) {
  if (fd >= 0) ::setsockopt(fd, level, name, &value, sizeof value);
}
}  // namespace

TcpConnection::~TcpConnection() { close_socket(); }

// Configured already: the listener's TCP_NODELAY is inherited by what it accepts.
void TcpConnection::adopt(int fd) {
  fd_ = fd;
  configured_ = true;
}

TcpConnection::PeerState& TcpConnection::peer() {
  if (!peer_) peer_ = std::make_unique<PeerState>();
  return *peer_;
}

// --- an outgoing connection ---

bool TcpConnection::open_bound(const tcp::endpoint& local, boost::system::error_code& ec) {
  if (fd_ < 0) {
    fd_ = ::socket(local.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
      ec = from_errno(errno);
      return false;
    }
  }
  if (::bind(fd_, local.data(), static_cast<socklen_t>(local.size())) != 0) {
    ec = from_errno(errno);
    return false;
  }
  ec.clear();
  return true;
}

void TcpConnection::connect(const tcp::endpoint& target) {
  boost::system::error_code ec;
  if (fd_ < 0) {
    fd_ = ::socket(target.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) ec = from_errno(errno);
  }
  if (!ec && ::connect(fd_, target.data(), static_cast<socklen_t>(target.size())) != 0) {
    if (errno == EINPROGRESS) {
      connecting_ = true;
      update_interest();
      return;
    }
    ec = from_errno(errno);
  }
  // Done at once (or failed): reported on a later turn all the same.
  asio::post(loop_.io(), [self = keep(), epoch = epoch_, ec] {
    if (self->epoch_ == epoch) self->connect_done(ec);
  });
}

void TcpConnection::connect_done(const boost::system::error_code& ec) {
  connecting_ = false;
  owner_.on_connect(ec);
}

void TcpConnection::own_local_endpoint() {
  if (!loop_.peers().active()) return;  // real time: no getsockname per connect
  boost::system::error_code ec;
  auto local = local_endpoint(ec);
  if (ec) return;
  peer().own = loop_.peers().own(local);
}

// --- the host socket ---

void TcpConnection::watch_peer(const tcp::endpoint& peer_endpoint) {
  if (!loop_.peers().active() || loop_.peers().is_own(peer_endpoint)) return;
  peer().hold = loop_.peers().hold();
}

void TcpConnection::configure_socket() {
  if (configured_ || fd_ < 0) return;
  configured_ = true;
  set_int_option(fd_, IPPROTO_TCP, TCP_NODELAY, 1);
}

tcp::endpoint TcpConnection::local_endpoint(boost::system::error_code& ec) const {
  tcp::endpoint local;
  socklen_t len = static_cast<socklen_t>(local.capacity());
  if (fd_ < 0 || ::getsockname(fd_, local.data(), &len) != 0) {
    ec = fd_ < 0 ? asio::error::bad_descriptor : from_errno(errno);
    return {};
  }
  local.resize(len);
  ec.clear();
  return local;
}

std::size_t TcpConnection::available() const {
  int n = 0;
  if (fd_ < 0 || ::ioctl(fd_, FIONREAD, &n) != 0) return 0;
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

void TcpConnection::set_ttl(int ttl) {
  if (ttl > 0) set_int_option(fd_, IPPROTO_IP, IP_TTL, ttl);
}

void TcpConnection::set_keepalive(int idle_s, int interval_s, int count) {
  set_int_option(fd_, SOL_SOCKET, SO_KEEPALIVE, 1);
  if (idle_s <= 0) return;
  set_int_option(fd_, IPPROTO_TCP, TCP_KEEPIDLE, idle_s);
  set_int_option(fd_, IPPROTO_TCP, TCP_KEEPINTVL, interval_s);
  set_int_option(fd_, IPPROTO_TCP, TCP_KEEPCNT, count);
}

// --- readiness ---

void TcpConnection::update_interest() {
  if (fd_ < 0) return;
  std::uint32_t wanted = (reading_ ? EPOLLIN : 0u) | (connecting_ || awaiting_writable() ? EPOLLOUT : 0u);
  if (watch_) return watch_.set(wanted);
  if (wanted == 0 && !watching_) return;
  boost::system::error_code ec;
  watch_ = loop_.poller().watch(fd_, wanted, *this, ec);
  // The host refuses another watched descriptor: the connection ends as if reset.
  if (ec && reading_)
    asio::post(loop_.io(), [self = keep(), epoch = epoch_, ec] {
      if (self->epoch_ == epoch && self->reading_) self->read_done(ec, 0);
    });
}

// Each step may report to the owner, whose callbacks may close this connection (and even start
// another in it): after each, what follows only goes on for the same connection.
void TcpConnection::on_ready(std::uint32_t events) {
  auto self = keep();  // the owner may drop its last reference in its callbacks
  const std::uint16_t epoch = epoch_;
  auto same = [&] { return epoch_ == epoch && fd_ >= 0; };
  if (fd_ < 0) return;
  const std::uint32_t trouble = EPOLLERR | EPOLLHUP;
  if (connecting_) {
    if ((events & (EPOLLOUT | trouble)) == 0) return;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    connect_done(err != 0 ? from_errno(err) : boost::system::error_code());
    if (!same() || connecting_) return;
    if (!write_in_flight_ && !reading_) return update_interest();
  }
  if (awaiting_writable() && (events & (EPOLLOUT | trouble)) != 0) write_more();
  if (same() && (events & (EPOLLIN | trouble)) != 0) {
    if (reading_)
      read_now();
    else if (watching_ && (events & trouble) != 0)
      errors_while_held(events);
  }
  if (!same()) return;
  // An error or hang-up is reported for as long as it lasts, whatever the interest: with nobody
  // to hear it (nothing read, written or watched), the socket leaves the set until someone is.
  if ((events & trouble) != 0 && !reading_ && !write_in_flight_ && !watching_)
    return watch_.remove();
  update_interest();
}

// --- reading ---

void TcpConnection::start_read() {
  if (reading_ || fd_ < 0) return;
  configure_socket();
  reading_ = true;
  watching_ = false;
  update_interest();
}

// Held: no EPOLLIN (the data stays in the host's buffer, the window closes), but an error or a
// hang-up is always reported, and a reset gets through.
void TcpConnection::watch_errors() {
  if (reading_ || watching_ || fd_ < 0) return;
  watching_ = true;
  update_interest();
}

void TcpConnection::errors_while_held(std::uint32_t) {
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    watching_ = false;
    return read_done(from_errno(err), 0);
  }
  // A hang-up with no error (the peer's FIN after our shutdown): nothing to report while held;
  // unhold reads it.
  watching_ = false;
  watch_.remove();
}

// One read per turn: the watch is level-triggered, so what is left is reported again.
void TcpConnection::read_now() {
  std::vector<char>& buffer = loop_.tcp_buffers().read;
  ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
  if (n > 0) return read_done({}, static_cast<std::size_t>(n));
  if (n == 0) return read_done(asio::error::eof, 0);
  if (would_block(errno)) return;  // reported ready, but another read took it
  read_done(from_errno(errno), 0);
}

void TcpConnection::read_done(const boost::system::error_code& ec, std::size_t n) {
  reading_ = false;
  touch_peer();
  // Its callers (on_ready, a posted handler) hold a reference: the owner may let go of this
  // connection in its callbacks.
  owner_.on_read(ec, loop_.tcp_buffers().read.data(), n);
}

// --- writing ---

namespace {
// How many write-and-"sent" rounds one flush may run before the rest waits a loop turn: a
// script streaming from its "sent" callback must not starve other sockets and timers.
constexpr int k_sync_rounds = 16;
}  // namespace

// Writes at once what fits into the host's socket buffer and reports it taken, so that "sent"
// follows in the same loop turn; what the host does not take goes when the socket is writable.
// Callbacks that send again are picked up by the loop, not by recursion.
void TcpConnection::flush() {
  if (!ready_to_write()) return;
  if (write_with_ring()) return;
  write_now();
}

void TcpConnection::write_now() {
  auto self = keep();  // the owner may let go of this connection in its callbacks
  const std::uint16_t epoch = epoch_;
  flushing_ = true;
  bool corked = false;
  for (int round = 0; round < k_sync_rounds && epoch_ == epoch && queued_sends() != 0 &&
                      !write_in_flight_ && fd_ >= 0;
       ++round) {
    Writes& w = *w_;
    w.writing.swap(w.queued);
    std::size_t sends = std::exchange(w.queued_sends, 0), bytes = w.writing.size();
    boost::system::error_code ec;
    // After the first round the data comes from a "sent" callback: the script streams, so the
    // host may hold partial segments until the stream pauses (one segment per 64 KiB on
    // loopback instead of one per send()).
    int flags = round > 0 ? MSG_MORE : 0;
    corked = corked || flags != 0;
    std::size_t n = write_some_now(w.writing.data(), w.writing.size(), flags, ec);
    if (ec == asio::error::would_block || (!ec && n < bytes)) {
      write_async(ec ? 0 : n, sends, bytes);
      break;
    }
    writing_done();
    touch_peer();
    owner_.on_written(ec, sends, bytes);
    if (ec) break;
  }
  if (epoch_ != epoch) return;  // closed in a callback (reset() cleared the rest)
  flushing_ = false;
  if (corked) push();
  if (queued_sends() != 0 && !write_in_flight_ && fd_ >= 0)
    asio::post(loop_.io(), [self, epoch] {
      if (self->epoch_ == epoch) self->flush();
    });
}

std::size_t TcpConnection::write_some_now(const char* data, std::size_t n, int flags,
                                          boost::system::error_code& ec) {
  if (fd_ < 0) {
    ec = asio::error::bad_descriptor;
    return 0;
  }
  for (;;) {
    ssize_t w = ::send(fd_, data, n, flags | MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w >= 0) {
      ec.clear();
      return static_cast<std::size_t>(w);
    }
    if (errno == EINTR) continue;
    ec = (errno == EAGAIN || errno == EWOULDBLOCK) ? asio::error::would_block : from_errno(errno);
    return 0;
  }
}

// The queued sends leave with the other connections' at the end of the loop's wake-up, in one
// system call (core/send_ring.hpp); ring_done() then goes on as flush() does after a send(2).
bool TcpConnection::write_with_ring() {
  core::SendRing* ring = fd_ >= 0 ? loop_.send_ring() : nullptr;
  if (ring == nullptr) return false;
  Writes& w = *w_;
  w.writing.swap(w.queued);
  w.ring_ticket = ring->prepare(fd_, w.writing.data(), w.writing.size(), 0, keep(),
                                &TcpConnection::ring_report);
  if (w.ring_ticket == 0) {  // the ring is full: this connection writes itself
    w.writing.swap(w.queued);
    return false;
  }
  write_in_flight_ = true;
  w.write_offset = 0;
  w.write_sends = std::exchange(w.queued_sends, 0);
  w.write_bytes = w.writing.size();
  return true;
}

// A write in the ring is withdrawn or cancelled when the connection closes: a report is always
// for the connection that is there.
void TcpConnection::ring_report(void* self, int result) {
  auto* c = static_cast<TcpConnection*>(self);
  c->w_->ring_ticket = 0;
  c->ring_done(result);
}

void TcpConnection::ring_done(int result) {
  if (result == -EAGAIN || result == -EWOULDBLOCK) return update_interest();  // when writable
  if (result < 0) return write_finished(from_errno(-result));
  w_->write_offset = static_cast<std::size_t>(result);
  if (w_->write_offset < w_->writing.size()) return update_interest();  // the rest when writable
  write_finished({});
}

void TcpConnection::push() { set_int_option(fd_, IPPROTO_TCP, TCP_NODELAY, 1); }

// Writes w_->writing from byte `offset` on as the socket takes it; when all is out, reports
// `sends` send() calls taken.
void TcpConnection::write_async(std::size_t offset, std::size_t sends, std::size_t bytes) {
  write_in_flight_ = true;
  w_->write_offset = offset;
  w_->write_sends = sends;
  w_->write_bytes = bytes;
  update_interest();
}

void TcpConnection::write_more() {
  Writes& w = *w_;
  while (w.write_offset < w.writing.size()) {
    boost::system::error_code ec;
    std::size_t n = write_some_now(w.writing.data() + w.write_offset,
                                   w.writing.size() - w.write_offset, 0, ec);
    if (ec == asio::error::would_block) return;  // the rest when writable again
    if (ec) return write_finished(ec);
    w.write_offset += n;
  }
  write_finished({});
}

void TcpConnection::write_finished(const boost::system::error_code& ec) {
  std::size_t sends = w_->write_sends, bytes = w_->write_bytes;
  write_in_flight_ = false;
  writing_done();
  update_interest();
  touch_peer();
  const std::uint16_t epoch = epoch_;
  owner_.on_written(ec, sends, bytes);
  // What "sent" queued goes now, with the rounds that may follow it (a script streaming from
  // "sent" gets its MSG_MORE coalescing from write_now(), not one submit per round).
  if (!ec && epoch_ == epoch && ready_to_write()) write_now();
}

// The written bytes go. With nothing queued either, the connection's Writes goes back to the
// loop's spares (a connection left idle then holds no write buffer).
void TcpConnection::writing_done() {
  w_->writing.clear();
  if (w_->queued_sends == 0) loop_.tcp_buffers().give_back(std::move(w_));
}

// --- the end ---

std::unique_ptr<TcpConnection::Writes> TcpConnection::take_unwritten() {
  if (!w_) return nullptr;
  if (std::uint32_t ticket = ring_ticket(); ticket != 0) {
    w_->ring_ticket = 0;
    std::optional<int> taken;
    if (auto* ring = loop_.send_ring()) taken = ring->withdraw(ticket);
    if (taken && *taken > 0) w_->write_offset = static_cast<std::size_t>(*taken);
    // (An error there shows again when the closer writes.)
  }
  if (w_->write_offset >= w_->writing.size() && w_->queued.empty()) {
    loop_.tcp_buffers().give_back(std::move(w_));
    return nullptr;
  }
  return std::move(w_);
}

void TcpConnection::close_gracefully() {
  if (fd_ < 0) return reset();
  TcpCloser::Handover h;
  h.connecting = connecting_;
  h.rest = take_unwritten();
  if (peer_) h.own = std::move(peer_->own);  // the hold goes: the device waits for nothing more
  h.watch = std::move(watch_);
  h.fd = std::exchange(fd_, -1);
  reset();
  TcpCloser::finish(loop_, std::move(h));
}

// A send still in the ring must not reach a closed descriptor (or the next socket given its
// number), nor read a dropped buffer.
void TcpConnection::cancel_ring_write() {
  if (ring_ticket() == 0) return;
  if (auto* ring = loop_.send_ring()) ring->cancel(w_->ring_ticket);
  w_->ring_ticket = 0;
  write_in_flight_ = false;
}

void TcpConnection::close_socket() {
  cancel_ring_write();
  if (fd_ < 0) return;
  watch_.forget();  // a closed descriptor leaves the epoll set by itself
  ::close(std::exchange(fd_, -1));
}

void TcpConnection::abort() {
  cancel_ring_write();
  if (fd_ >= 0) {
    linger lg{1, 0};  // RST
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close_socket();
  }
  reset();
}

void TcpConnection::reset() {
  close_socket();
  if (w_) loop_.tcp_buffers().give_back(std::move(w_));
  peer_.reset();
  connecting_ = reading_ = watching_ = write_in_flight_ = configured_ = flushing_ = false;
  ++epoch_;
}

}  // namespace nodemcu_emu::net
