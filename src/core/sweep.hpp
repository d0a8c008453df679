// Many coarse deadlines on one timer: the members of a Sweep (idle timeouts of connections,
// the drain limit of closed ones) are linked into a list, and one TimerService entry waits for
// the earliest deadline among them; then every member is asked. Joining is linking a list
// node, not a heap push and a hash-map entry per connection that a cancel leaves in the heap
// until its (30 s, 10 s) deadline passes. A member's deadline may move later at no cost (a
// connection's activity): the tick finds it not due and waits for the new earliest one.
// Deadlines are met exactly on the Clock, as the separate timers met them.
#pragma once

#include <boost/intrusive/list.hpp>
#include <optional>

#include "core/clock.hpp"
#include "core/timer_handle.hpp"

namespace nodemcu_emu::core {

class EventLoop;

class Sweep {
 public:
  // Something with a deadline. It leaves the sweep when destroyed or by leave().
  class Member : public boost::intrusive::list_base_hook<
                     boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
   public:
    virtual ~Member() = default;
    virtual Micros deadline() const = 0;
    // The deadline came (or the member was asked at a later one's tick and is not due: then
    // nothing). A due member leaves or moves its deadline; it may end its object's life cycle
    // but not free itself (the callback holds a reference where that could happen).
    virtual void on_deadline(Micros now) = 0;
    bool enlisted() const { return is_linked(); }
    void leave() { unlink(); }
  };

  explicit Sweep(EventLoop& loop) : loop_(loop) {}
  Sweep(const Sweep&) = delete;
  Sweep& operator=(const Sweep&) = delete;

  // Waits for m.deadline() too (nothing if already enlisted: a deadline may only move later).
  void enlist(Member& m);

 private:
  void schedule(Micros at);
  void tick();

  using List = boost::intrusive::list<Member, boost::intrusive::constant_time_size<false>>;
  EventLoop& loop_;
  List members_;
  TimerHandle timer_;
  Micros scheduled_{0};  // when timer_ fires, while it is pending
};

}  // namespace nodemcu_emu::core
