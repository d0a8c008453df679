// The Lua-free core of a device TCP connection (spec net.md 4): the connect/connected/closed
// state machine, the firmware's send model (queued sends, "sent" once per send, TCP_SND_BUF),
// the receive framing (one event per frame, never merged across reads), hold/unhold, the
// inactivity timeout and the close sequence. It owns the host connection (TcpConnection) and
// reports what happens through its own virtual event hooks: TcpSocket, the Lua binding, is a
// TcpSession (one object per connection: an idle connection's memory, docs/performance.md,
// hold); TcpSessionRelay hands the events to a separate TcpSessionEvents (mqtt, the tests).
// Testable with a bare EventLoop and loopback sockets (tests/unit/tcp_session_test.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/event_loop.hpp"
#include "core/sweep.hpp"
#include "core/timer_handle.hpp"
#include "core/trace.hpp"
#include "core/ip/tcp_connection.hpp"

namespace nodemcu_emu::net {

// What a session reports (TcpSession's hooks, for a relay's listener). One virtual call per
// event (never per byte).
class TcpSessionEvents {
 public:
  virtual ~TcpSessionEvents() = default;
  // The connection is established (connect() succeeded, or an accepted one starts).
  virtual void on_connected() = 0;
  // One frame of received data (at most the frame size). False stops delivering the rest of
  // this read (the device halted).
  virtual bool on_receive(const char* data, std::size_t n) = 0;
  // One send() left the send buffer.
  virtual void on_sent() = 0;
  // The connection ended without a local close: peer FIN (err 0), reset, timeout, connect
  // failure (an lwIP err_t). The session is already idle.
  virtual void on_disconnected(int err) = 0;
  // The session took (true) or gave back (false) one of the device's established-connection
  // slots (MEMP_NUM_TCP_PCB).
  virtual void on_slot(bool taken) = 0;
};

class TcpSession : public TcpConnection::Owner,
                   public core::Sweep::Member,
                   public std::enable_shared_from_this<TcpSession> {
 public:
  // The device's send buffer (TCP_SND_BUF = 2 * TCP_MSS, net.md 4.5).
  static constexpr std::size_t k_send_buffer = 2920;

  enum class State : std::uint8_t { idle, connecting, connected };

  struct Config {
    std::uint32_t frame_size = 1460;  // the device's pbuf payload (--frame-size)
  };

  TcpSession(core::EventLoop& loop, core::Trace& trace, core::ObjectName name, Config config);
  ~TcpSession() override;
  TcpSession(const TcpSession&) = delete;
  TcpSession& operator=(const TcpSession&) = delete;

  State state() const { return state_; }
  std::string name() const { return object_name().text(); }
  // What the device's socket asks of the host connection (nothing when idle).
  void set_ttl(int ttl) { conn_.set_ttl(ttl); }
  // The host address of the connection (an error when idle).
  tcp::endpoint local_endpoint(boost::system::error_code& ec) const;

  // --- establishing ---
  // An accepted connection from `peer` (as accept(2) filled it in: no getpeername per
  // connection): connected at once; `timeout_s` > 0 arms the inactivity timeout, or with
  // `host_keepalive` sets the host's TCP keepalive instead (lwIP literally, net.md 3.4).
  // `fd`: the accepted socket (non-blocking), owned from now on.
  void adopt(int fd, const tcp::endpoint& peer, int timeout_s, bool host_keepalive = false);
  // Reports on_connected, then sends what was queued and starts reading.
  void start();
  // An outgoing connection: a host socket to open, bind and connect (see connect()); sends
  // queue until it is established.
  void start_connecting();
  // Opens the host socket and binds it to `local` (so that peers see the device's address).
  bool open_bound(const tcp::endpoint& local, boost::system::error_code& ec);
  // Connects the host socket (opened by open_bound, or now) to `target`.
  void connect(const tcp::endpoint& target);
  // Nothing will answer: the connection fails with ERR_ABRT after `delay` (the SYN retries).
  // On the loop's Sweep, as the idle timeout (a client connection has none while connecting).
  void give_up_after(core::Micros delay);

  // --- send model ---
  bool can_send() const { return state_ != State::idle; }
  // Whether `n` more bytes fit into the send buffer (tcp_write's ERR_MEM otherwise).
  bool fits(std::size_t n) const { return outstanding_ + n <= k_send_buffer; }
  // send() calls whose on_sent has not been reported yet.
  std::size_t awaiting_sent() const { return awaiting_sent_; }
  // Queues one send (it must fit); it leaves after the current callback returns.
  void send(const char* data, std::size_t n);

  // --- receive ---
  void hold();
  void unhold();
  // Received data is not acknowledged yet: inside on_receive, or held with data waiting.
  bool has_unread();

  // --- the end ---
  // close(): graceful (queued data goes, then FIN) or, with `abort`, RST at once.
  void close(bool abort);
  // The script's object is gone: RST, no event.
  void abandon() { release(false); }

 protected:
  // The events, as TcpSessionEvents describes them. The session holds a reference to itself
  // across each call: a hook may drop the last outside one.
  virtual void on_connected() = 0;
  virtual bool on_receive(const char* data, std::size_t n) = 0;
  virtual void on_sent() = 0;
  virtual void on_disconnected(int err) = 0;
  virtual void on_slot(bool taken) = 0;

 private:
  std::shared_ptr<void> keep_alive() override { return shared_from_this(); }
  void on_connect(const boost::system::error_code& ec) override;
  void on_read(const boost::system::error_code& ec, const char* data, std::size_t n) override;
  void on_written(const boost::system::error_code& ec, std::size_t sends,
                  std::size_t bytes) override;
  void connected();
  void schedule_flush();
  void resume_reading();
  void ended(int err, bool graceful);
  void release(bool graceful);
  void note_activity() { last_activity_ = loop().turn_now(); }
  void arm_idle_timer();
  // Connecting: the give-up time (last_activity_ holds it, timeout_s_ is 0). Connected: the
  // inactivity timeout.
  core::Micros deadline() const override {
    return last_activity_ + std::chrono::seconds(timeout_s_);
  }
  void on_deadline(core::Micros now) override;
  // Inline, so that with the trace off the fields are not even built (three events per message).
  void trace(std::string_view event, std::initializer_list<core::Trace::Field> fields = {}) {
    if (trace_.enabled()) emit(event, fields);
  }
  void emit(std::string_view event, std::initializer_list<core::Trace::Field> fields);

  core::Trace& trace_;
  // The host connection, inside the session (reused for each connection it makes): an idle
  // connection is one object (docs/performance.md, hold). It has the loop: the session does
  // not keep a second reference to it.
  TcpConnection conn_;
  core::EventLoop& loop() const { return conn_.loop(); }
  core::Micros last_activity_{0};
  // Packed: a thousand idle connections keep a thousand of these (docs/performance.md, hold).
  // The name's two parts apart, so that its number fills a gap an ObjectName would pad.
  const char* name_kind_;
  core::ObjectName object_name() const { return {name_kind_, name_id_}; }
  Config config_;
  std::uint32_t name_id_;
  int timeout_s_ = 0;
  // 16 bits: send() only takes what fits into the 2920-byte send buffer.
  std::uint16_t outstanding_ = 0;    // bytes sent but not yet taken by the host (<= 2920)
  std::uint16_t awaiting_sent_ = 0;  // sends whose on_sent has not been reported (<= 2920)
  // Inside this session's events: a flush follows them (nested no deeper than Lua's C calls).
  std::uint8_t callback_depth_ = 0;
  State state_ = State::idle;
  bool counted_ : 1 = false;  // holds an established-connection slot
  bool held_ : 1 = false;
  bool delivering_ : 1 = false;  // inside the frames of one read
  bool in_receive_ : 1 = false;  // inside an on_receive
  bool flush_posted_ : 1 = false;
};

// A session that reports to a separate TcpSessionEvents while that exists.
class TcpSessionRelay final : public TcpSession {
 public:
  using TcpSession::TcpSession;
  void attach(std::weak_ptr<TcpSessionEvents> events) { events_ = std::move(events); }

 private:
  void on_connected() override {
    if (auto e = events_.lock()) e->on_connected();
  }
  bool on_receive(const char* data, std::size_t n) override {
    auto e = events_.lock();
    return e && e->on_receive(data, n);
  }
  void on_sent() override {
    if (auto e = events_.lock()) e->on_sent();
  }
  void on_disconnected(int err) override {
    if (auto e = events_.lock()) e->on_disconnected(err);
  }
  void on_slot(bool taken) override {
    if (auto e = events_.lock()) e->on_slot(taken);
  }
  std::weak_ptr<TcpSessionEvents> events_;
};

}  // namespace nodemcu_emu::net
