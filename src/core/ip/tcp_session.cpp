#include "core/ip/tcp_session.hpp"

#include <boost/asio/error.hpp>

#include "core/ip/lwip_errors.hpp"

namespace nodemcu_emu::net {

TcpSession::TcpSession(core::EventLoop& loop, core::Trace& trace, core::ObjectName name,
                       Config config)
    : trace_(trace), conn_(loop, *this), name_kind_(name.kind), config_(config), name_id_(name.id) {}

TcpSession::~TcpSession() = default;

void TcpSession::emit(std::string_view event, std::initializer_list<core::Trace::Field> fields) {
  char buf[32];
  trace_.emit(loop().now(), object_name().format(buf), event, fields);
}

// --- establishing ---

void TcpSession::adopt(int fd, const tcp::endpoint& peer, int timeout_s, bool host_keepalive) {
  state_ = State::connected;
  counted_ = true;
  on_slot(true);
  conn_.adopt(fd);
  conn_.configure_socket();
  conn_.watch_peer(peer);
  timeout_s_ = timeout_s;
  if (host_keepalive) {
    // Keepalive probes after `timeout` s, one probe, 10 s apart.
    conn_.set_keepalive(timeout_s, 10, 1);
    timeout_s_ = 0;
  }
  note_activity();
  arm_idle_timer();
}

void TcpSession::start() {
  if (state_ != State::connected) return;  // the listen callback closed it
  auto self = shared_from_this();  // the event may drop the last reference
  ++callback_depth_;
  on_connected();
  --callback_depth_;
  if (state_ != State::connected) return;
  conn_.flush();  // what was sent before (or while the SYN was out); "sent" may close
  resume_reading();
}

void TcpSession::start_connecting() {
  state_ = State::connecting;
}

bool TcpSession::open_bound(const tcp::endpoint& local, boost::system::error_code& ec) {
  if (state_ == State::idle) {
    ec = asio::error::not_connected;
    return false;
  }
  return conn_.open_bound(local, ec);
}

void TcpSession::connect(const tcp::endpoint& target) {
  conn_.own_local_endpoint();
  conn_.watch_peer(target);
  conn_.connect(target);
}

// The connection only reports to its owner until release() lets go of it: a connect that
// completes after a close reports nothing.
void TcpSession::on_connect(const boost::system::error_code& error) {
  if (state_ != State::connecting) return;
  if (error)
    ended(lwip_error_from(error), false);
  else
    connected();
}

tcp::endpoint TcpSession::local_endpoint(boost::system::error_code& ec) const {
  if (state_ == State::idle) {
    ec = asio::error::not_connected;
    return {};
  }
  return conn_.local_endpoint(ec);
}

void TcpSession::give_up_after(core::Micros delay) {
  if (state_ != State::connecting) return;
  leave();  // a deadline on the Sweep may only move later
  timeout_s_ = 0;
  last_activity_ = loop().now() + delay;
  loop().sweep().enlist(*this);
}

void TcpSession::connected() {
  leave();  // the give-up time; a client connection has no inactivity timeout
  state_ = State::connected;
  counted_ = true;
  on_slot(true);
  conn_.configure_socket();
  note_activity();
  trace("connected");
  start();
}

// --- receive ---

void TcpSession::on_read(const boost::system::error_code& ec, const char* data, std::size_t n) {
  if (state_ != State::connected) return;
  if (ec) {
    if (ec == asio::error::eof)
      ended(k_ok, true);
    else
      ended(lwip_error_from(ec), false);
    return;
  }
  note_activity();
  trace("recv", {{"n", n}});
  // An event may drop the last reference: the connection holds one while it reports (Owner).
  std::size_t frame = config_.frame_size;
  delivering_ = true;
  ++callback_depth_;
  // One event per frame (the device's pbuf), never merged across reads. Without a listener
  // the device discards the data (still acknowledged).
  for (std::size_t off = 0; off < n && state_ == State::connected; off += frame) {
    std::size_t len = std::min(frame, n - off);
    in_receive_ = true;
    bool go_on = on_receive(data + off, len);
    in_receive_ = false;
    if (!go_on) break;
  }
  delivering_ = false;
  --callback_depth_;
  if (state_ != State::connected) return;
  conn_.flush();  // what the events sent leaves now ("sent" may close the session)
  resume_reading();
}

// Reading goes on unless the script holds the connection; held, only a reset is heard.
void TcpSession::resume_reading() {
  if (state_ != State::connected) return;
  if (held_)
    conn_.watch_errors();
  else
    conn_.start_read();
}

void TcpSession::hold() {
  held_ = true;
  trace("hold");
}

void TcpSession::unhold() {
  held_ = false;
  trace("unhold");
  if (state_ == State::connected && !delivering_) conn_.start_read();
}

bool TcpSession::has_unread() {
  return in_receive_ || (held_ && conn_.available() > 0);
}

// --- send ---

void TcpSession::send(const char* data, std::size_t n) {
  outstanding_ = static_cast<std::uint16_t>(outstanding_ + n);
  ++awaiting_sent_;
  conn_.queue(data, n);
  trace("send", {{"n", n}});
  if (state_ == State::connected) schedule_flush();
}

// The device transmits after the current callback returns (lwIP output): so does the emulator,
// which is what lets close() inside "receive" drop what that callback sent.
void TcpSession::schedule_flush() {
  // Inside this session's own events the flush follows when they return: no extra turn.
  if (flush_posted_ || callback_depth_ > 0) return;
  flush_posted_ = true;
  loop().post([self = shared_from_this()] {
    self->flush_posted_ = false;
    if (self->state_ == State::connected) self->conn_.flush();
  });
}

void TcpSession::on_written(const boost::system::error_code& ec, std::size_t sends,
                            std::size_t bytes) {
  if (state_ != State::connected) return;
  if (ec) return ended(lwip_error_from(ec), false);
  note_activity();
  outstanding_ = static_cast<std::uint16_t>(outstanding_ - bytes);
  awaiting_sent_ = static_cast<std::uint16_t>(awaiting_sent_ - sends);
  // The connection holds a reference while it reports (Owner): "sent" may drop every other.
  // One on_sent per send; an event that closes the session ends the series.
  ++callback_depth_;  // the connection flushes again after this returns
  for (std::size_t i = 0; i < sends && state_ == State::connected; ++i) {
    trace("sent");
    on_sent();
  }
  --callback_depth_;
}

// --- the end ---

void TcpSession::close(bool abort) {
  release(!abort);
}

void TcpSession::release(bool graceful) {
  if (state_ != State::idle) {
    if (graceful)
      conn_.close_gracefully();
    else
      conn_.abort();
  }
  if (counted_) {
    counted_ = false;
    on_slot(false);
  }
  leave();  // the idle timeout or the give-up time
  state_ = State::idle;
  outstanding_ = 0;
  awaiting_sent_ = 0;
}

void TcpSession::ended(int err, bool graceful) {
  trace(err == 0 ? "disconnect" : "error", {{"err", err}});
  auto self = shared_from_this();
  release(graceful);
  on_disconnected(err);
}

// --- the inactivity timeout (net.md 0.1: idle model) ---

void TcpSession::arm_idle_timer() {
  if (timeout_s_ > 0) loop().sweep().enlist(*this);
}

// Activity moves the deadline later without touching the sweep (deadline() reads it).
void TcpSession::on_deadline(core::Micros) {
  if (state_ == State::connecting) {
    auto self = shared_from_this();
    return ended(k_err_abrt, false);
  }
  if (state_ != State::connected) return leave();
  trace("timeout", {{"after_s", timeout_s_}});
  auto self = shared_from_this();
  ended(k_err_abrt, false);  // aborted as lwIP aborts a keepalive failure: RST, -8
}

}  // namespace nodemcu_emu::net
