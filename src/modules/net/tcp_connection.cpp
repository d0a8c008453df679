#include "modules/net/tcp_connection.hpp"

#include <boost/asio/write.hpp>

namespace nodemcu_emu::net {

namespace {
// How long a closed connection waits for the peer's FIN before it closes anyway (the device's
// TIME_WAIT is 2*MSL = 10 s; the peer normally answers in microseconds on loopback).
constexpr auto k_drain_limit = std::chrono::seconds(10);
}  // namespace

TcpConnection::TcpConnection(core::EventLoop& loop, tcp::socket socket, std::size_t read_size)
    : loop_(loop), socket_(std::move(socket)), rx_(read_size) {}

void TcpConnection::start_read() {
  if (reading_ || (detached_ && !draining_)) return;
  reading_ = true;
  socket_.async_read_some(asio::buffer(rx_), [self = shared_from_this()](
                                                 const boost::system::error_code& ec, std::size_t n) {
    self->reading_ = false;
    if (self->detached_) {
      // Let go: only draining continues, until the peer's FIN or an error.
      if (ec) return self->finish_close();
      if (self->draining_) self->start_read();
      return;
    }
    if (auto owner = self->owner_.lock()) owner->on_read(ec, self->rx_.data(), n);
  });
}

void TcpConnection::flush() {
  if (!write_in_flight_ && !queued_.empty()) write_batch();
}

void TcpConnection::write_batch() {
  writing_.assign(std::make_move_iterator(queued_.begin()), std::make_move_iterator(queued_.end()));
  queued_.clear();
  std::vector<asio::const_buffer> buffers;
  buffers.reserve(writing_.size());
  for (const auto& s : writing_) buffers.emplace_back(asio::buffer(s));
  write_in_flight_ = true;
  asio::async_write(socket_, buffers, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
    self->write_in_flight_ = false;
    std::size_t sends = self->writing_.size();
    self->writing_.clear();
    if (self->detached_) {
      if (ec) return self->finish_close();
      if (!self->queued_.empty()) return self->write_batch();
      return self->drain();
    }
    if (auto owner = self->owner_.lock()) owner->on_written(ec, sends);
    if (!ec && !self->detached_ && !self->write_in_flight_) self->flush();
  });
}

void TcpConnection::close_gracefully() {
  if (detached_) return;
  detached_ = true;
  owner_.reset();
  linger_ = loop_.keep_alive();
  if (write_in_flight_) return;  // the write's completion continues the close
  if (!queued_.empty()) return write_batch();
  drain();
}

void TcpConnection::drain() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) return finish_close();
  auto self = shared_from_this();
  drain_timer_ = loop_.call_after(k_drain_limit, [self] {
    self->drain_timer_ = 0;
    self->finish_close();
  });
  // Read and drop until the peer's FIN: closing with unread data would make the host send RST.
  draining_ = true;
  start_read();
}

void TcpConnection::finish_close() {
  if (drain_timer_) loop_.cancel(drain_timer_);
  drain_timer_ = 0;
  boost::system::error_code ec;
  socket_.close(ec);
  linger_.reset();
}

void TcpConnection::abort() {
  detached_ = true;
  owner_.reset();
  queued_.clear();
  boost::system::error_code ec;
  if (socket_.is_open()) {
    socket_.set_option(asio::socket_base::linger(true, 0), ec);
    socket_.close(ec);
  }
  if (drain_timer_) loop_.cancel(drain_timer_);
  drain_timer_ = 0;
  linger_.reset();
}

}  // namespace nodemcu_emu::net
