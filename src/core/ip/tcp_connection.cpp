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
#include <optional>

namespace nodemcu_emu::net {
using core::ip::from_errno;

namespace {
// How long a closed connection waits for the peer's FIN before it closes anyway (the device's
// TIME_WAIT is 2*MSL = 10 s; the peer normally answers in microseconds on loopback).
constexpr auto k_drain_limit = std::chrono::seconds(10);

bool would_block(int err) { return err == EAGAIN || err == EWOULDBLOCK || err == EINTR; }

void set_int_option(int fd, int level, int name, int value) {
  if (fd >= 0) ::setsockopt(fd, level, name, &value, sizeof value);
}
}  // namespace

struct TcpConnection::Drain final : core::Sweep::Member {
  Drain(TcpConnection& c, core::Micros limit) : conn(c), until(limit) {}
  core::Micros deadline() const override { return until; }
  // Frees this Drain with the connection (after the call: the connection holds itself).
  void on_deadline(core::Micros) override { conn.drain_expired(); }
  TcpConnection& conn;
  core::Micros until;
};

struct TcpConnection::Aside {
  core::PeerWatch::Own own;
  core::PeerWatch::Hold hold;  // empty for an in-process peer
  std::optional<Drain> drain;
};

TcpConnection::Aside& TcpConnection::aside() {
  if (!aside_) aside_ = std::make_unique<Aside>();
  return *aside_;
}

bool TcpConnection::draining() const { return aside_ && aside_->drain; }

void TcpConnection::touch_peer() {
  if (aside_) aside_->hold.touch();
}

// The device waits for nothing more from this peer, and the address is free for another.
void TcpConnection::drop_peer() {
  if (!aside_) return;
  aside_->own.reset();
  aside_->hold.reset();
}

TcpConnection::TcpConnection(core::EventLoop& loop) : loop_(loop) {}

// Configured already: the listener's TCP_NODELAY is inherited by what it accepts.
TcpConnection::TcpConnection(core::EventLoop& loop, int fd)
    : loop_(loop), fd_(fd), configured_(true) {}

TcpConnection::~TcpConnection() { close_socket(); }

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
  asio::post(loop_.io(), [self = shared_from_this(), ec] { self->connect_done(ec); });
}

void TcpConnection::connect_done(const boost::system::error_code& ec) {
  connecting_ = false;
  if (detached_) {
    if (ec) finish_close();
    return;  // the write queued before the close goes now (on_ready), then the FIN
  }
  if (owner_ != nullptr) owner_->on_connect(ec);
}

void TcpConnection::own_local_endpoint() {
  if (!loop_.peers().active()) return;  // real time: no getsockname per connect
  boost::system::error_code ec;
  auto local = local_endpoint(ec);
  if (ec) return;
  aside().own = loop_.peers().own(local);
}

// --- the host socket ---

void TcpConnection::watch_peer(const tcp::endpoint& peer) {
  if (!loop_.peers().active() || loop_.peers().is_own(peer)) return;
  aside().hold = loop_.peers().hold();
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
    asio::post(loop_.io(), [self = shared_from_this(), ec] {
      if (self->reading_) self->read_done(ec, 0);
    });
}

void TcpConnection::on_ready(std::uint32_t events) {
  auto self = shared_from_this();  // the owner may let go of this connection in its callbacks
  if (fd_ < 0) return;
  const std::uint32_t trouble = EPOLLERR | EPOLLHUP;
  if (connecting_) {
    if ((events & (EPOLLOUT | trouble)) == 0) return;
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    connect_done(err != 0 ? from_errno(err) : boost::system::error_code());
    if (fd_ < 0 || connecting_) return;
    if (!write_in_flight_ && !reading_) return update_interest();
  }
  if (awaiting_writable() && (events & (EPOLLOUT | trouble)) != 0) write_more();
  if (fd_ >= 0 && (events & (EPOLLIN | trouble)) != 0) {
    if (reading_)
      read_now();
    else if (watching_ && (events & trouble) != 0)
      errors_while_held(events);
  }
  if (fd_ < 0) return;
  // An error or hang-up is reported for as long as it lasts, whatever the interest: with nobody
  // to hear it (nothing read, written or watched), the socket leaves the set until someone is.
  if ((events & trouble) != 0 && !reading_ && !write_in_flight_ && !watching_)
    return watch_.remove();
  update_interest();
}

// --- reading ---

void TcpConnection::start_read(bool) {
  if (reading_ || (detached_ && !draining()) || fd_ < 0) return;
  configure_socket();
  reading_ = true;
  watching_ = false;
  update_interest();
}

// Held: no EPOLLIN (the data stays in the host's buffer, the window closes), but an error or a
// hang-up is always reported, and a reset gets through.
void TcpConnection::watch_errors() {
  if (reading_ || watching_ || detached_ || fd_ < 0) return;
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
  if (detached_) {
    // Let go: only draining continues, until the peer's FIN or an error.
    if (ec) return finish_close();
    if (draining()) start_read();
    return;
  }
  touch_peer();
  // Its callers (on_ready, a posted handler) hold a reference: the owner may let go of this
  // connection in its callbacks.
  if (owner_ != nullptr) owner_->on_read(ec, loop_.tcp_buffers().read.data(), n);
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
  auto self = shared_from_this();  // the owner may let go of this connection in its callbacks
  flushing_ = true;
  bool corked = false;
  for (int round = 0; round < k_sync_rounds && queued_sends() != 0 && !detached_ && !write_in_flight_;
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
    if (owner_ != nullptr) owner_->on_written(ec, sends, bytes);
    if (ec) break;
  }
  flushing_ = false;
  if (corked && !detached_) push();
  if (queued_sends() != 0 && !write_in_flight_ && !detached_)
    asio::post(loop_.io(), [self] { self->flush(); });
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
  w.ring_ticket = ring->prepare(fd_, w.writing.data(), w.writing.size(), 0, shared_from_this(),
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

void TcpConnection::write_batch() {
  w_->writing.swap(w_->queued);  // queued takes the emptied buffer back, capacity and all
  std::size_t sends = std::exchange(w_->queued_sends, 0);
  write_async(0, sends, w_->writing.size());
}

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
  if (detached_) {
    if (ec) return finish_close();
    if (queued_sends() != 0) return write_batch();
    return drain();
  }
  update_interest();
  touch_peer();
  if (owner_ != nullptr) owner_->on_written(ec, sends, bytes);
  // What "sent" queued goes now, with the rounds that may follow it (a script streaming from
  // "sent" gets its MSG_MORE coalescing from write_now(), not one submit per round).
  if (!ec && ready_to_write()) write_now();
}

// The written bytes go. With nothing queued either, the connection's Writes goes back to the
// device's spares (a connection left idle then holds no write buffer).
void TcpConnection::writing_done() {
  w_->writing.clear();
  if (w_->queued_sends == 0) give_back_writes();
}

void TcpConnection::take_writes() {
  auto& spares = loop_.tcp_buffers().spare_writes;
  if (spares.empty()) {
    w_ = std::make_unique<Writes>();
    return;
  }
  w_ = std::move(spares.back());
  spares.pop_back();
}

// A buffer that grew beyond the device's send buffer is not kept (a spare holds at most two of
// k_kept_capacity).
void TcpConnection::give_back_writes() {
  auto& spares = loop_.tcp_buffers().spare_writes;
  if (spares.size() >= TcpBuffers::k_max_spares) return w_.reset();
  w_->queued.clear();
  if (w_->writing.capacity() > k_kept_capacity) std::string().swap(w_->writing);
  if (w_->queued.capacity() > k_kept_capacity) std::string().swap(w_->queued);
  w_->queued_sends = w_->write_offset = w_->write_sends = w_->write_bytes = 0;
  spares.push_back(std::move(w_));
}

// --- the end ---

void TcpConnection::close_gracefully() {
  if (detached_) return;
  detached_ = true;
  owner_ = nullptr;
  if (aside_) aside_->hold.reset();  // the device waits for nothing more from this peer
  // Nobody else holds a let-go connection; the loop runs on while it holds one.
  loop_.keep_until_done(shared_from_this());
  kept_ = true;
  if (write_in_flight_) return;  // the write's completion continues the close
  // Queued while connecting: it goes once connected, then the FIN. With nothing queued a
  // connecting socket closes at once (the drain's shutdown fails).
  if (queued_sends() != 0) return write_batch();
  drain();
}

void TcpConnection::drain() {
  // Nothing unread: close(2) now. The host sends what it holds, then FIN, as lwIP's tcp_close
  // does; data the peer sends after that is answered with RST, as the device's is (tcp_close
  // sets TF_RXCLOSED, and tcp_input aborts a pcb that receives data with it set). Draining
  // here would cost a wake-up and two system calls per connection for a peer that is done.
  if (fd_ < 0 || available() == 0) return finish_close();
  // Unread data: close(2) would answer it with RST, which can make the peer's stack discard the
  // response it has not read yet. FIN instead, then read and drop until the peer's FIN.
  // Not through the send ring: io_uring runs a shutdown on a worker thread of its own, never
  // during the submit (a context switch per FIN, measured slower than the system call).
  if (::shutdown(fd_, SHUT_WR) != 0) return finish_close();
  // The limit is one of the loop's Sweep: a closed connection costs no timer of its own.
  Drain& d = aside().drain.emplace(*this, loop_.now() + k_drain_limit);
  loop_.sweep().enlist(d);
  // Read and drop until the peer's FIN: closing with unread data would make the host send RST.
  start_read();
}

void TcpConnection::drain_expired() {
  auto self = shared_from_this();
  finish_close();
}

void TcpConnection::finish_close() {
  close_socket();
  drop_peer();
  let_loop_release();
}

// The connection is done: its drain (if any) leaves the Sweep, and the loop lets go of it.
// May drop the last reference: the caller holds one (on_ready, drain_expired, a posted
// handler). The Drain is freed with the connection, not here: this may run inside its
// on_deadline.
void TcpConnection::let_loop_release() {
  if (draining()) aside_->drain->leave();
  if (!kept_) return;
  kept_ = false;
  loop_.done(this);
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
  reading_ = watching_ = connecting_ = write_in_flight_ = false;
}

void TcpConnection::abort() {
  detached_ = true;
  owner_ = nullptr;
  drop_peer();
  cancel_ring_write();
  w_.reset();
  if (fd_ >= 0) {
    linger lg{1, 0};  // RST
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close_socket();
  }
  let_loop_release();
}

}  // namespace nodemcu_emu::net
