#include "core/ip/tcp_connection.hpp"

#include <boost/asio/write.hpp>

namespace nodemcu_emu::net {

namespace {
// How long a closed connection waits for the peer's FIN before it closes anyway (the device's
// TIME_WAIT is 2*MSL = 10 s; the peer normally answers in microseconds on loopback).
constexpr auto k_drain_limit = std::chrono::seconds(10);
}  // namespace

TcpConnection::TcpConnection(core::EventLoop& loop, tcp::socket socket, ReadBuffer buffer)
    : loop_(loop), socket_(std::move(socket)), rx_(std::move(buffer)) {}

void TcpConnection::own_local_endpoint() {
  if (!loop_.peers().active()) return;  // real time: no getsockname per connect
  boost::system::error_code ec;
  auto local = socket_.local_endpoint(ec);
  if (!ec) own_ = loop_.peers().own(local);
}

void TcpConnection::watch_peer(const tcp::endpoint& peer) {
  if (loop_.peers().active() && !loop_.peers().is_own(peer)) peer_hold_ = loop_.peers().hold();
}

void TcpConnection::configure_socket() {
  if (configured_ || !socket_.is_open()) return;
  configured_ = true;
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  // Writes are already batched per loop turn; Nagle would only add the peer's delayed-ACK wait
  // (40 ms on Linux) to a send chained from "sent".
  socket_.set_option(tcp::no_delay(true), ec);
}

// Waits for readability and only then reads into the buffer all connections share: an idle
// connection holds no read buffer (the `hold` benchmark keeps a thousand of them). Asio's epoll
// is edge-triggered, so when data may already be waiting (a read filled the buffer, a held
// socket resumes, a new connection) the read is tried first, on a later turn.
void TcpConnection::start_read(bool data_may_wait) {
  if (reading_ || (detached_ && !draining_)) return;
  configure_socket();
  reading_ = true;
  if (data_may_wait || maybe_more_) {
    asio::post(socket_.get_executor(), [self = shared_from_this()] { self->read_now(); });
    return;
  }
  wait_readable();
}

void TcpConnection::wait_readable() {
  socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return self->read_done(ec, 0);
    self->read_now();
  });
}

// An error condition alone (EPOLLERR/EPOLLHUP) completes Asio's wait_error, data does not:
// the held data stays in the host's buffer, the window closes, and a reset still gets through.
void TcpConnection::watch_errors() {
  if (reading_ || watching_ || detached_ || !socket_.is_open()) return;
  int err = 0;
  socklen_t len = sizeof err;
  // Epoll is edge-triggered: a reset that came before the wait starts would not wake it.
  ::getsockopt(socket_.native_handle(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), err] {
      if (!self->reading_ && !self->detached_)
        self->read_done(boost::system::error_code(err, boost::system::system_category()), 0);
    });
    return;
  }
  watching_ = true;
  socket_.async_wait(tcp::socket::wait_error, [self = shared_from_this()](boost::system::error_code ec) {
    self->watching_ = false;
    // Closed, or reading again (the read sees the error itself).
    if (ec || self->reading_ || self->detached_) return;
    self->watch_errors();
  });
}

void TcpConnection::read_now() {
  boost::system::error_code ec;
  std::size_t n = socket_.read_some(asio::buffer(*rx_), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    maybe_more_ = false;
    return wait_readable();
  }
  maybe_more_ = !ec && n == rx_->size();
  read_done(ec, n);
}

void TcpConnection::read_done(const boost::system::error_code& ec, std::size_t n) {
  reading_ = false;
  if (detached_) {
    // Let go: only draining continues, until the peer's FIN or an error.
    if (ec) return finish_close();
    if (draining_) start_read();
    return;
  }
  peer_hold_.touch();
  auto self = shared_from_this();  // the owner may let go of this connection in its callbacks
  if (auto owner = owner_.lock()) owner->on_read(ec, rx_->data(), n);
}

namespace {
// How many write-and-"sent" rounds one flush may run before the rest waits a loop turn: a
// script streaming from its "sent" callback must not starve other sockets and timers.
constexpr int k_sync_rounds = 16;
}  // namespace

// Writes at once what fits into the host's socket buffer and reports it taken, so that "sent"
// follows in the same loop turn; what the host does not take goes asynchronously. Callbacks
// that send again are picked up by the loop, not by recursion.
void TcpConnection::flush() {
  if (write_in_flight_ || flushing_ || detached_ || queued_sends_ == 0) return;
  auto self = shared_from_this();  // the owner may let go of this connection in its callbacks
  flushing_ = true;
  bool corked = false;
  for (int round = 0; round < k_sync_rounds && queued_sends_ != 0 && !detached_ && !write_in_flight_;
       ++round) {
    writing_.swap(queued_);
    std::size_t sends = std::exchange(queued_sends_, 0), bytes = writing_.size();
    boost::system::error_code ec;
    // After the first round the data comes from a "sent" callback: the script streams, so the
    // host may hold partial segments until the stream pauses (one segment per 64 KiB on
    // loopback instead of one per send()).
    int flags = round > 0 ? MSG_MORE : 0;
    corked = corked || flags != 0;
    std::size_t n = write_some_now(flags, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again || (!ec && n < bytes)) {
      write_async(ec ? 0 : n, sends, bytes);
      break;
    }
    writing_done();
    peer_hold_.touch();
    if (auto owner = owner_.lock()) owner->on_written(ec, sends, bytes);
    if (ec) break;
  }
  flushing_ = false;
  if (corked && !detached_) push();
  if (queued_sends_ != 0 && !write_in_flight_ && !detached_)
    asio::post(socket_.get_executor(), [self] { self->flush(); });
}

std::size_t TcpConnection::write_some_now(int flags, boost::system::error_code& ec) {
  return socket_.send(asio::buffer(writing_), flags, ec);
}

void TcpConnection::push() {
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
}

void TcpConnection::write_batch() {
  writing_.swap(queued_);  // queued_ takes the emptied buffer back, capacity and all
  std::size_t sends = std::exchange(queued_sends_, 0);
  write_async(0, sends, writing_.size());
}

// Writes writing_ from byte `offset` on; when all is out, reports `sends` send() calls taken.
void TcpConnection::write_async(std::size_t offset, std::size_t sends, std::size_t bytes) {
  write_in_flight_ = true;
  asio::async_write(socket_, asio::buffer(writing_.data() + offset, writing_.size() - offset),
                    [self = shared_from_this(), sends, bytes](const boost::system::error_code& ec,
                                                              std::size_t) {
                      self->write_in_flight_ = false;
                      self->writing_done();
                      if (self->detached_) {
                        if (ec) return self->finish_close();
                        if (self->queued_sends_ != 0) return self->write_batch();
                        return self->drain();
                      }
                      self->peer_hold_.touch();
                      if (auto owner = self->owner_.lock()) owner->on_written(ec, sends, bytes);
                      if (!ec) self->flush();
                    });
}

// The written bytes go; the buffer's capacity stays for the next send unless it grew beyond
// the device's send buffer (a connection left idle then holds no large block).
void TcpConnection::writing_done() {
  if (writing_.capacity() > k_kept_capacity)
    std::string().swap(writing_);
  else
    writing_.clear();
}

void TcpConnection::close_gracefully() {
  if (detached_) return;
  detached_ = true;
  owner_.reset();
  peer_hold_.reset();  // the device waits for nothing more from this peer
  linger_ = loop_.keep_alive();
  if (write_in_flight_) return;  // the write's completion continues the close
  if (queued_sends_ != 0) return write_batch();
  drain();
}

void TcpConnection::drain() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return finish_close();
  // The limit is one of the loop's Sweep: a closed connection costs no timer of its own.
  drain_deadline_ = loop_.now() + k_drain_limit;
  loop_.sweep().enlist(*this);
  // Read and drop until the peer's FIN: closing with unread data would make the host send RST.
  draining_ = true;
  start_read();
}

void TcpConnection::on_deadline(core::Micros) {
  auto self = shared_from_this();
  finish_close();
}

void TcpConnection::finish_close() {
  leave();
  boost::system::error_code ec;
  socket_.close(ec);
  own_.reset();
  linger_.reset();
}

void TcpConnection::abort() {
  detached_ = true;
  owner_.reset();
  peer_hold_.reset();
  own_.reset();
  queued_.clear();
  queued_sends_ = 0;
  boost::system::error_code ec;
  if (socket_.is_open()) {
    socket_.set_option(asio::socket_base::linger(true, 0), ec);
    socket_.close(ec);
  }
  leave();
  linger_.reset();
}

}  // namespace nodemcu_emu::net
