#include "core/sweep.hpp"

#include <algorithm>

#include "core/event_loop.hpp"

namespace nodemcu_emu::core {

void Sweep::enlist(Member& m) {
  if (m.is_linked()) return;
  members_.push_back(m);
  if (!timer_ || m.deadline() < scheduled_) schedule(m.deadline());
}

void Sweep::schedule(Micros at) {
  scheduled_ = at;
  timer_.start_at(loop_, at, [this] { tick(); });
}

// Every member is asked once per tick, even when members come, go or are destroyed by the
// callbacks: the round takes them all out first and puts each back before asking it. Then the
// timer waits for the earliest deadline left (one pass over the members per deadline, not
// per connection event).
void Sweep::tick() {
  List round;
  round.splice(round.end(), members_);
  Micros now = loop_.now();
  while (!round.empty()) {
    Member& m = round.front();
    round.pop_front();
    members_.push_back(m);
    if (m.deadline() <= now) m.on_deadline(now);
  }
  if (members_.empty()) return;
  Micros next = members_.front().deadline();
  for (const Member& m : members_) next = std::min(next, m.deadline());
  // A member still due after its callback is asked again a moment later, never in a loop.
  next = std::max(next, now + std::chrono::milliseconds(1));
  // A callback's enlist may have scheduled the timer already, possibly later than `next`.
  if (!timer_ || next < scheduled_) schedule(next);
}

}  // namespace nodemcu_emu::core
