// Every deadline in the emulator (tmr objects, socket timeouts, delayed restarts) lives here,
// keyed on the Clock, so real and virtual time share all module code.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"

namespace nodemcu_emu::core {

class TimerService {
 public:
  using Id = std::uint64_t;
  using Callback = std::function<void()>;

  // Schedules fn at an absolute time. Ids are never reused, so a stale id cancels nothing.
  Id schedule(Micros deadline, Callback fn);
  // Returns whether the timer was still pending.
  bool cancel(Id id);
  bool pending(Id id) const { return entries_.count(id) != 0; }

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  std::optional<Micros> next_deadline();

  // Fires every timer due at `now`, earliest first (ties in scheduling order).
  // Timers scheduled by a callback for a time <= now fire in the same call.
  std::size_t fire_due(Micros now);

 private:
  struct Slot {
    Micros deadline;
    Id id;
    bool operator>(const Slot& o) const {
      return deadline != o.deadline ? deadline > o.deadline : id > o.id;
    }
  };
  void drop_cancelled_head();

  // Cancellation is lazy: the heap keeps the slot, the map forgets the callback.
  std::priority_queue<Slot, std::vector<Slot>, std::greater<Slot>> heap_;
  std::unordered_map<Id, Callback> entries_;
  Id next_id_ = 1;
};

}  // namespace nodemcu_emu::core
