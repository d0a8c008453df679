#include "core/timer_service.hpp"

namespace nodemcu_emu::core {

TimerService::Id TimerService::schedule(Micros deadline, Callback fn) {
  Id id = next_id_++;
  entries_.emplace(id, std::move(fn));
  heap_.push(Slot{deadline, id});
  return id;
}

bool TimerService::cancel(Id id) { return entries_.erase(id) != 0; }

void TimerService::drop_cancelled_head() {
  while (!heap_.empty() && entries_.count(heap_.top().id) == 0) heap_.pop();
}

std::optional<Micros> TimerService::next_deadline() {
  drop_cancelled_head();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().deadline;
}

std::size_t TimerService::fire_due(Micros now) {
  std::size_t fired = 0;
  // A head that is not due ends the loop whether or not it was cancelled: no lookup per turn.
  for (;;) {
    if (heap_.empty() || heap_.top().deadline > now) break;
    Id id = heap_.top().id;
    heap_.pop();
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;  // cancelled
    Callback fn = std::move(it->second);
    entries_.erase(it);
    fn();
    ++fired;
  }
  return fired;
}

}  // namespace nodemcu_emu::core
