// One asio::io_context, one thread, one Clock. Everything the emulator does is a handler here.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/clock.hpp"
#include "core/peer_watch.hpp"
#include "core/timer_service.hpp"

namespace nodemcu_emu::core {

namespace asio = boost::asio;

// An object that posts handlers to the loop holds a Lifetime; its handlers are wrapped with
// guard() and do nothing once it is gone. The loop is shared (several devices, the console) and
// may outlive any of them: nothing may rely on the loop being drained before its owner dies.
class Lifetime {
 public:
  template <class F>
  auto guard(F fn) const {
    return [alive = std::weak_ptr<const char>(token_), fn = std::move(fn)]() mutable {
      if (!alive.expired()) fn();
    };
  }

 private:
  std::shared_ptr<const char> token_ = std::make_shared<const char>(0);
};

class Sweep;
class Poller;
class SendRing;
}  // namespace nodemcu_emu::core
namespace nodemcu_emu::net {
struct TcpBuffers;
}  // namespace nodemcu_emu::net
namespace nodemcu_emu::core {

class EventLoop {
 public:
  // Held by whatever keeps the device busy although no timer is armed (an open socket, the
  // interactive console): while one exists the loop does not exit for lack of work.
  class KeepAlive {
   public:
    KeepAlive() = default;
    explicit KeepAlive(EventLoop* loop) : loop_(loop) { ++loop_->keepalives_; }
    KeepAlive(KeepAlive&& o) noexcept : loop_(std::exchange(o.loop_, nullptr)) {}
    KeepAlive& operator=(KeepAlive&& o) noexcept {
      if (this != &o) {
        reset();
        loop_ = std::exchange(o.loop_, nullptr);
      }
      return *this;
    }
    ~KeepAlive() { reset(); }
    void reset() {
      if (loop_) --std::exchange(loop_, nullptr)->keepalives_;
    }
    explicit operator bool() const { return loop_ != nullptr; }

   private:
    EventLoop* loop_ = nullptr;
  };

  // peer_grace_ms: virtual time waits this long for an outside peer (core/peer_watch.hpp).
  EventLoop(bool virtual_time, double idle_grace_ms = 2.0, double peer_grace_ms = 1000.0);
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  asio::io_context& io() { return io_; }
  Clock& clock() { return *clock_; }
  Micros now() const { return clock_->now(); }
  // now() as first read in this turn of the loop, for what a few microseconds do not change (a
  // connection's last activity, which timers are due): one clock read per turn instead of one
  // per event. Exact under virtual time (no clock read there anyway).
  Micros turn_now() {
    if (virtual_) return clock_->now();
    if (turn_now_stale_) {
      turn_now_ = clock_->now();
      turn_now_stale_ = false;
    }
    return turn_now_;
  }
  bool virtual_time() const { return clock_->is_virtual(); }

  TimerService::Id call_at(Micros deadline, TimerService::Callback fn);
  TimerService::Id call_after(Micros delay, TimerService::Callback fn) {
    return call_at(now() + delay, std::move(fn));
  }
  bool cancel(TimerService::Id id) { return timers_.cancel(id); }
  bool timer_pending(TimerService::Id id) const { return timers_.pending(id); }
  // The loop's slow timer (core/sweep.hpp): many coarse deadlines on one timer.
  Sweep& sweep();
  // The loop's level-triggered epoll set for TCP sockets (core/poller.hpp).
  Poller& poller();
  // The TCP sends of a wake-up, submitted together (core/send_ring.hpp); null where the host
  // has no working io_uring (or NODEMCU_EMU_NO_IO_URING is set): connections send themselves.
  SendRing* send_ring();
  // The read buffer and spare write buffers every TCP connection of the loop shares
  // (core/ip/tcp_buffers.hpp).
  net::TcpBuffers& tcp_buffers() { return *tcp_buffers_; }

  // Runs fn on a later turn of the loop.
  void post(std::function<void()> fn);

  KeepAlive keep_alive() { return KeepAlive(this); }
  // The same without the object, for a holder that keeps one bit instead of 8 bytes (a socket,
  // of which a thousand idle ones may exist): one release_keepalive() per add_keepalive().
  void add_keepalive() { ++keepalives_; }
  void release_keepalive() { --keepalives_; }

  // Output held back until the handler that made it returns (the UDP datagrams a callback sent:
  // one sendmmsg for all of them): on_turn_end() runs before the loop runs anything else,
  // waits, or ends. It leaves the list when destroyed.
  class Deferred : public boost::intrusive::list_base_hook<
                       boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
   public:
    virtual ~Deferred() = default;
    // Called once per defer(); must not run Lua (it runs between handlers).
    virtual void on_turn_end() = 0;
  };
  // Asks for one on_turn_end() (nothing if one is already due).
  void defer(Deferred& d) {
    if (!d.is_linked()) deferred_.push_back(d);
  }
  // Runs every due flush now (the loop does it at each turn; also before the loop ends).
  // And the TCP sends of the send ring.
  void flush_deferred() {
    submit_sends();
    flush_deferred_only();
  }
  void flush_deferred_only() {
    while (!deferred_.empty()) {
      Deferred& d = deferred_.front();
      deferred_.pop_front();
      d.on_turn_end();
    }
  }

  // Something that finishes on its own after its owner let go (a closed TCP connection that
  // drains): held here until it calls done(), or until the loop is destroyed. Not a reference
  // cycle of its own, which would outlive the loop. The loop runs on while it holds one.
  void keep_until_done(std::shared_ptr<void> object) { lingering_.push_back(std::move(object)); }
  void done(const void* object);

  // Real sockets whose other end is outside this process: under virtual time the clock does
  // not jump while one of them may still act (core/peer_watch.hpp).
  PeerWatch& peers() { return peers_; }

  // Runs until nothing can happen any more, `limit` (on the Clock) passes, or stop() is called.
  // Returns the exit status given to stop(), or 0.
  int run(std::optional<Micros> limit = std::nullopt);
  // One turn of the loop for a test helper that runs it from inside a script (emu.advance,
  // emu.run_until): a ready handler, the due timers, or else a wait that does not pass `limit`.
  // Returns false once `limit` is reached (with nothing due) or the loop is stopping.
  bool step(Micros limit);
  void stop(int exit_status = 0);
  bool stopping() const { return stopping_; }

  // Runs the handlers that are ready (cancelled I/O completing) without moving time: after the
  // device is switched off, so that nothing still queued outlives what it points to. The send
  // ring goes first: a prepared entry (cancelled or not) holds its socket, and with it a
  // reference to the device, until a submit releases it.
  void drain() {
    submit_sends();
    io_.restart();
    io_.poll();
  }

  // SIGINT/SIGTERM end the loop once installed: status 0 when it was idle, 128 + the signal
  // when Lua code was running and got interrupted (core/interrupt.hpp).
  void stop_on_signals();

 private:
  // Something may still come from I/O: a keep-alive holder (an open socket), or a let-go
  // connection finishing (keep_until_done).
  bool expects_io() const { return keepalives_ > 0 || !lingering_.empty(); }
  bool alive() const { return expects_io() || !timers_.empty(); }
  // What the send ring holds goes now (its reports run the connections' "sent" handling).
  void submit_sends();
  // run()'s body. until_limit: time passes up to `limit` even when nothing can happen.
  bool turn(std::optional<Micros> limit, bool until_limit);
  bool wait_virtual(std::optional<Micros> limit);
  void wait_real(std::optional<Micros> limit);

  // Declared before the io_context: handlers destroyed with it may still unregister here.
  PeerWatch peers_;
  // One thread runs everything: no locking around socket registrations. The scheduler keeps
  // its lock, because Asio's resolver hands its answers over from a thread of its own.
  asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<Clock> clock_;
  bool virtual_;
  Micros turn_now_{0};
  bool turn_now_stale_ = true;  // a new turn began, or the loop waited
  TimerService timers_;
  std::unique_ptr<Sweep> sweep_;  // after timers_: its timer goes first
  std::unique_ptr<Poller> poller_;  // after io_: its descriptor and handlers go first
  std::unique_ptr<SendRing> send_ring_;
  bool send_ring_tried_ = false;
  std::unique_ptr<net::TcpBuffers> tcp_buffers_;  // before lingering_: the connections there go first
  std::vector<std::shared_ptr<void>> lingering_;  // after poller_: they leave it first
  boost::intrusive::list<Deferred, boost::intrusive::constant_time_size<false>> deferred_;
  std::optional<asio::posix::stream_descriptor> signal_pipe_;
  char signal_byte_ = 0;
  std::chrono::microseconds idle_grace_;
  int keepalives_ = 0;
  bool stopping_ = false;
  int exit_status_ = 0;
};

}  // namespace nodemcu_emu::core
