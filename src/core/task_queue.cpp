#include "core/task_queue.hpp"

namespace nodemcu_emu::core {

void TaskQueue::post(int priority, std::function<void()> fn) {
  queues_[static_cast<std::size_t>(priority)].push_back(std::move(fn));
  if (!pump_posted_) {
    pump_posted_ = true;
    loop_.post(lifetime_.guard([this] { run_one(); }));
  }
}

void TaskQueue::clear() {
  for (auto& q : queues_) q.clear();
}

std::size_t TaskQueue::size() const {
  std::size_t n = 0;
  for (const auto& q : queues_) n += q.size();
  return n;
}

void TaskQueue::run_one() {
  pump_posted_ = false;
  for (int p = high; p >= low; --p) {
    auto& q = queues_[static_cast<std::size_t>(p)];
    if (q.empty()) continue;
    auto fn = std::move(q.front());
    q.pop_front();
    if (size() != 0 && !pump_posted_) {
      pump_posted_ = true;
      loop_.post(lifetime_.guard([this] { run_one(); }));
    }
    fn();
    return;
  }
}

}  // namespace nodemcu_emu::core
