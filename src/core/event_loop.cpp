#include "core/event_loop.hpp"

#include <boost/asio/post.hpp>
#include <unistd.h>

#include <cstdlib>

#include <boost/asio/buffer.hpp>

#include "core/interrupt.hpp"
#include "core/ip/tcp_buffers.hpp"
#include "core/poller.hpp"
#include "core/send_ring.hpp"
#include "core/sweep.hpp"

namespace nodemcu_emu::core {

EventLoop::EventLoop(bool virtual_time, double idle_grace_ms, double peer_grace_ms)
    // Real time never jumps: the peer watch is off (core/peer_watch.hpp).
    : peers_(std::chrono::microseconds(virtual_time ? static_cast<long>(peer_grace_ms * 1000.0) : 0)),
      work_(asio::make_work_guard(io_)),
      virtual_(virtual_time),
      tcp_buffers_(std::make_unique<net::TcpBuffers>()),
      idle_grace_(static_cast<long>(idle_grace_ms * 1000.0)) {
  if (virtual_time)
    clock_ = std::make_unique<VirtualClock>();
  else
    clock_ = std::make_unique<RealClock>();
}

EventLoop::~EventLoop() = default;

Sweep& EventLoop::sweep() {
  if (!sweep_) sweep_ = std::make_unique<Sweep>(*this);
  return *sweep_;
}

void EventLoop::done(const void* object) {
  for (auto it = lingering_.rbegin(); it != lingering_.rend(); ++it) {
    if (it->get() != object) continue;
    auto last = std::move(*it);  // destroyed after the vector is consistent again
    *it = std::move(lingering_.back());
    lingering_.pop_back();
    return;
  }
}

Poller& EventLoop::poller() {
  if (!poller_) poller_ = std::make_unique<Poller>(io_);
  return *poller_;
}

SendRing* EventLoop::send_ring() {
  if (!send_ring_tried_) {
    send_ring_tried_ = true;
    if (std::getenv("NODEMCU_EMU_NO_IO_URING") == nullptr) send_ring_ = SendRing::open();
  }
  return send_ring_.get();
}

// The reports of a submit may prepare more (a "sent" handler closes: its FIN): they go too,
// a bounded number of rounds; the loop does not wait while any is left (turn()).
void EventLoop::submit_sends() {
  for (int round = 0; round < 8 && send_ring_ && send_ring_->pending(); ++round) send_ring_->submit();
}

TimerService::Id EventLoop::call_at(Micros deadline, TimerService::Callback fn) {
  return timers_.schedule(deadline, std::move(fn));
}

void EventLoop::post(std::function<void()> fn) { asio::post(io_, std::move(fn)); }

void EventLoop::stop(int exit_status) {
  if (!stopping_) exit_status_ = exit_status;
  stopping_ = true;
}

void EventLoop::stop_on_signals() {
  int fd = interrupt::install();
  if (fd < 0) return;
  // The descriptor is the process's: this loop watches a duplicate it may close.
  signal_pipe_.emplace(io_, ::dup(fd));
  signal_pipe_->async_read_some(asio::buffer(&signal_byte_, 1),
                                [this](const boost::system::error_code& ec, std::size_t) {
                                  if (!ec) stop(interrupt::exit_status());
                                });
}

int EventLoop::run(std::optional<Micros> limit) {
  while (turn(limit, false)) {
  }
  flush_deferred();
  return exit_status_;
}

bool EventLoop::step(Micros limit) { return turn(limit, true); }

bool EventLoop::turn(std::optional<Micros> limit, bool until_limit) {
  // What the last handler (or the script that called step) held back leaves before anything
  // else runs or the loop polls: a peer's answer to it can then arrive in this turn's wait.
  // The TCP sends wait while the Poller's wake-up has more sockets to serve: they leave
  // together after the last one (core/send_ring.hpp).
  if (poller_ && poller_->mid_batch())
    flush_deferred_only();
  else
    flush_deferred();
  // A signal interrupted the Lua call that just returned: stop before anything else runs.
  if (!stopping_ && interrupt::pending()) stop(interrupt::exit_status());
  if (stopping_) return false;
  // One ready handler, then the due timers, then the next handler: a chain of posted tasks
  // cannot starve a timer (on the chip the SDK's timer task runs between two Lua tasks).
  // Time moves only once nothing at all is ready.
  // A socket of the Poller's current wake-up counts as a ready handler.
  turn_now_stale_ = true;
  std::size_t ran = 0;
  if (poller_ && poller_->serve_one()) {
    ran = 1;
  } else if (!clock_->is_virtual() && !limit && alive()) {
    // Real time, nothing served: the due timers, else wait_real's run_one_until runs a ready
    // handler at once or waits for one. Polling Asio first (poll_one) would cost an epoll_wait
    // of its own on every wake-up, before the one that blocks.
    ran = timers_.fire_due(turn_now());
    if (ran == 0 && !(send_ring_ && send_ring_->pending())) wait_real(limit);
    return !stopping_;
  } else {
    ran = io_.poll_one();
  }
  if (stopping_) return false;
  ran += timers_.fire_due(turn_now());
  if (ran != 0 || (send_ring_ && send_ring_->pending())) return true;
  if (limit && clock_->now() >= *limit) return false;
  // Nothing can happen any more: run() ends; a step (emu.advance) lets the time pass.
  if (!alive() && !until_limit) return false;
  if (clock_->is_virtual()) return wait_virtual(limit);
  wait_real(limit);
  return true;
}

// Virtual time: wait a short real grace period for I/O in flight (a peer's answer on loopback),
// then jump to the next deadline. With no deadline at all, wait for I/O as long as it takes.
// While an outside peer may still act (peer_watch.hpp) the clock does not jump: the loop waits
// for I/O until the last such hold runs out in real time, then looks again.
bool EventLoop::wait_virtual(std::optional<Micros> limit) {
  if (expects_io()) {
    if (auto held = peers_.held_until(std::chrono::steady_clock::now())) {
      io_.run_one_until(*held);
      return true;
    }
    if (io_.run_one_for(idle_grace_) != 0) return true;
  }
  auto next = timers_.next_deadline();
  auto& clock = static_cast<VirtualClock&>(*clock_);
  if (limit && (!next || *next > *limit)) {
    // Nothing on the clock before the run limit: it is the next thing that happens.
    clock.advance_to(*limit);
    return false;
  }
  if (next) {
    clock.advance_to(*next);
    return true;
  }
  io_.run_one();
  return true;
}

void EventLoop::wait_real(std::optional<Micros> limit) {
  turn_now_stale_ = true;  // what runs after the wait reads the time again
  auto next = timers_.next_deadline();
  if (limit && (!next || *limit < *next)) next = limit;
  if (next)
    io_.run_one_until(static_cast<RealClock&>(*clock_).to_steady(*next));
  else
    io_.run_one();
}

}  // namespace nodemcu_emu::core
