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
  // The SDK's queue per priority (TASK_DEFAULT_QUEUE_LEN, system_os_task): a post to a full
  // one fails on the chip. Only node.task.post asks (its "Task queue overflow"); the
  // emulator's own deferred work is not bounded.
  static constexpr std::size_t k_queue_length = 8;

  explicit TaskQueue(EventLoop& loop) : loop_(loop) {}
  void post(int priority, std::function<void()> fn);
  void clear();
  std::size_t size() const;
  bool full(int priority) const {
    return queues_[static_cast<std::size_t>(priority)].size() >= k_queue_length;
  }

 private:
  void run_one();

  EventLoop& loop_;
  std::array<std::deque<std::function<void()>>, 3> queues_;
  bool pump_posted_ = false;
  Lifetime lifetime_;  // last: pending pumps do nothing once the queue is gone
};

}  // namespace nodemcu_emu::core
