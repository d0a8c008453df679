// The device's task queue (node.task.post and the firmware's own deferred work): three
// priorities, FIFO within one, one task per loop turn so network events interleave as on the chip.
#pragma once

#include <array>
#include <deque>
#include <functional>

#include "core/event_loop.hpp"

namespace nodemcu_emu::core {

class TaskQueue {
 public:
  enum Priority { low = 0, medium = 1, high = 2 };

  explicit TaskQueue(EventLoop& loop) : loop_(loop) {}
  void post(int priority, std::function<void()> fn);
  void clear();
  std::size_t size() const;

 private:
  void run_one();

  EventLoop& loop_;
  std::array<std::deque<std::function<void()>>, 3> queues_;
  bool pump_posted_ = false;
  Lifetime lifetime_;  // last: pending pumps do nothing once the queue is gone
};

}  // namespace nodemcu_emu::core
