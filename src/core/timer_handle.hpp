// A deadline owned by whoever holds it: destroying the handle, or starting it again, cancels
// what was pending. Objects keep their timers in these instead of ids they must remember to
// cancel, so no callback can outlive the object it was armed for.
#pragma once

#include <utility>

#include "core/event_loop.hpp"

namespace nodemcu_emu::core {

class TimerHandle {
 public:
  TimerHandle() = default;
  TimerHandle(TimerHandle&& o) noexcept
      : loop_(std::exchange(o.loop_, nullptr)), id_(std::exchange(o.id_, 0)) {}
  TimerHandle& operator=(TimerHandle&& o) noexcept {
    if (this != &o) {
      cancel();
      loop_ = std::exchange(o.loop_, nullptr);
      id_ = std::exchange(o.id_, 0);
    }
    return *this;
  }
  TimerHandle(const TimerHandle&) = delete;
  TimerHandle& operator=(const TimerHandle&) = delete;
  ~TimerHandle() { cancel(); }

  void start_at(EventLoop& loop, Micros deadline, TimerService::Callback fn) {
    cancel();
    loop_ = &loop;
    id_ = loop.call_at(deadline, std::move(fn));
  }
  void start_after(EventLoop& loop, Micros delay, TimerService::Callback fn) {
    start_at(loop, loop.now() + delay, std::move(fn));
  }
  // Ids are never reused: cancelling one that already fired does nothing.
  void cancel() {
    if (loop_ != nullptr) loop_->cancel(id_);
    loop_ = nullptr;
    id_ = 0;
  }
  // Armed and not yet fired (false inside its own callback).
  bool pending() const { return loop_ != nullptr && loop_->timer_pending(id_); }
  explicit operator bool() const { return pending(); }

 private:
  EventLoop* loop_ = nullptr;
  TimerService::Id id_ = 0;
};

}  // namespace nodemcu_emu::core
