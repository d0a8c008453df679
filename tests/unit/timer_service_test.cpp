// core::TimerService: the one place every deadline lives (tmr objects, socket timeouts, reboots).
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/timer_service.hpp"

using nodemcu_emu::core::Micros;
using nodemcu_emu::core::TimerService;

namespace {
// Appends `name` to `log` when called.
TimerService::Callback record(std::vector<std::string>& log, std::string name) {
  return [&log, name] { log.push_back(name); };
}
}  // namespace

TEST_CASE("a new timer service is empty and has no next deadline", "[timer_service]") {
  TimerService timers;
  CHECK(timers.empty());
  CHECK(timers.size() == 0);
  CHECK_FALSE(timers.next_deadline().has_value());
  CHECK(timers.fire_due(Micros(1000000)) == 0);
}

TEST_CASE("timers fire earliest deadline first, whatever the order they were scheduled in",
          "[timer_service]") {
  TimerService timers;
  std::vector<std::string> log;
  timers.schedule(Micros(300), record(log, "c"));
  timers.schedule(Micros(100), record(log, "a"));
  timers.schedule(Micros(200), record(log, "b"));
  CHECK(timers.next_deadline() == Micros(100));
  CHECK(timers.fire_due(Micros(1000)) == 3);
  CHECK(log == std::vector<std::string>{"a", "b", "c"});
  CHECK(timers.empty());
}

TEST_CASE("timers with the same deadline fire in the order they were scheduled", "[timer_service]") {
  TimerService timers;
  std::vector<std::string> log;
  for (const char* name : {"first", "second", "third", "fourth"}) timers.schedule(Micros(50), record(log, name));
  timers.fire_due(Micros(50));
  CHECK(log == std::vector<std::string>{"first", "second", "third", "fourth"});
}

TEST_CASE("fire_due fires only timers whose deadline is at or before now", "[timer_service]") {
  TimerService timers;
  std::vector<std::string> log;
  timers.schedule(Micros(100), record(log, "due"));
  timers.schedule(Micros(101), record(log, "later"));
  CHECK(timers.fire_due(Micros(99)) == 0);
  CHECK(log.empty());
  CHECK(timers.fire_due(Micros(100)) == 1);
  CHECK(log == std::vector<std::string>{"due"});
  CHECK(timers.size() == 1);
  CHECK(timers.next_deadline() == Micros(101));
}

TEST_CASE("a cancelled timer never fires and no longer counts", "[timer_service]") {
  TimerService timers;
  std::vector<std::string> log;
  auto a = timers.schedule(Micros(10), record(log, "a"));
  auto b = timers.schedule(Micros(20), record(log, "b"));
  CHECK(timers.pending(a));
  CHECK(timers.cancel(a));
  CHECK_FALSE(timers.pending(a));
  CHECK(timers.size() == 1);
  CHECK(timers.next_deadline() == Micros(20));  // the cancelled head is skipped
  CHECK(timers.fire_due(Micros(100)) == 1);
  CHECK(log == std::vector<std::string>{"b"});
  CHECK_FALSE(timers.pending(b));
}

TEST_CASE("cancel returns false for a timer that already fired or was already cancelled",
          "[timer_service]") {
  TimerService timers;
  int fired = 0;
  auto a = timers.schedule(Micros(10), [&] { ++fired; });
  auto b = timers.schedule(Micros(10), [&] { ++fired; });
  CHECK(timers.cancel(b));
  CHECK_FALSE(timers.cancel(b));
  timers.fire_due(Micros(10));
  CHECK(fired == 1);
  CHECK_FALSE(timers.cancel(a));
  CHECK_FALSE(timers.cancel(12345));  // never issued
}

TEST_CASE("ids are never reused, so a stale id cannot cancel a newer timer", "[timer_service]") {
  TimerService timers;
  auto old_id = timers.schedule(Micros(1), [] {});
  timers.fire_due(Micros(1));
  bool fired = false;
  auto new_id = timers.schedule(Micros(2), [&] { fired = true; });
  CHECK(new_id != old_id);
  CHECK_FALSE(timers.cancel(old_id));
  timers.fire_due(Micros(2));
  CHECK(fired);
}

TEST_CASE("a timer scheduled during firing for a time already due fires in the same call",
          "[timer_service]") {
  TimerService timers;
  std::vector<std::string> log;
  timers.schedule(Micros(100), [&] {
    log.push_back("outer");
    timers.schedule(Micros(100), record(log, "same deadline"));
    timers.schedule(Micros(50), record(log, "in the past"));
  });
  timers.schedule(Micros(100), record(log, "sibling"));
  CHECK(timers.fire_due(Micros(100)) == 4);
  // The sibling was scheduled first among the deadline-100 timers; the one in the past
  // has the earliest deadline of what is left once "outer" has run.
  CHECK(log == std::vector<std::string>{"outer", "in the past", "sibling", "same deadline"});
}

TEST_CASE("a timer scheduled during firing for a later time waits for a later fire_due",
          "[timer_service]") {
  TimerService timers;
  std::vector<std::string> log;
  timers.schedule(Micros(100), [&] {
    log.push_back("first");
    timers.schedule(Micros(200), record(log, "rearmed"));
  });
  CHECK(timers.fire_due(Micros(150)) == 1);
  CHECK(log == std::vector<std::string>{"first"});
  CHECK(timers.next_deadline() == Micros(200));
  CHECK(timers.fire_due(Micros(200)) == 1);
  CHECK(log == std::vector<std::string>{"first", "rearmed"});
}

TEST_CASE("a callback that cancels a timer due in the same call stops it from firing",
          "[timer_service]") {
  TimerService timers;
  std::vector<std::string> log;
  TimerService::Id victim = 0;
  timers.schedule(Micros(10), [&] {
    log.push_back("canceller");
    CHECK(timers.cancel(victim));
  });
  victim = timers.schedule(Micros(10), record(log, "victim"));
  CHECK(timers.fire_due(Micros(10)) == 1);
  CHECK(log == std::vector<std::string>{"canceller"});
  CHECK(timers.empty());
}

TEST_CASE("a firing timer is no longer pending inside its own callback", "[timer_service]") {
  TimerService timers;
  TimerService::Id self = 0;
  bool pending_inside = true;
  bool cancelled_inside = true;
  self = timers.schedule(Micros(5), [&] {
    pending_inside = timers.pending(self);
    cancelled_inside = timers.cancel(self);
  });
  timers.fire_due(Micros(5));
  CHECK_FALSE(pending_inside);
  CHECK_FALSE(cancelled_inside);
}

TEST_CASE("a periodic timer that re-arms itself fires once per fire_due step", "[timer_service]") {
  TimerService timers;
  int fired = 0;
  std::function<void()> tick;
  Micros next(100);
  tick = [&] {
    ++fired;
    next += Micros(100);
    timers.schedule(next, tick);
  };
  timers.schedule(next, tick);
  for (int step = 1; step <= 5; ++step) CHECK(timers.fire_due(Micros(100 * step)) == 1);
  CHECK(fired == 5);
  CHECK(timers.size() == 1);
}
