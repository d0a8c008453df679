// core::Sweep: many deadlines on one timer, met exactly on the (virtual) Clock, deadlines that
// move later, members that go away inside a tick.
#include "core/sweep.hpp"

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <vector>

#include "core/event_loop.hpp"

using nodemcu_emu::core::EventLoop;
using nodemcu_emu::core::Micros;
using nodemcu_emu::core::Sweep;
using namespace std::chrono_literals;

namespace {

struct Deadline : Sweep::Member {
  Micros at;
  std::vector<Micros> fired;
  std::function<void()> then;
  explicit Deadline(Micros a) : at(a) {}
  Micros deadline() const override { return at; }
  void on_deadline(Micros now) override {
    fired.push_back(now);
    leave();
    if (then) then();
  }
};

}  // namespace

TEST_CASE("each member's deadline is met exactly, on one timer", "[sweep]") {
  EventLoop loop(true);
  Deadline a(30s), b(10s), c(20s);
  loop.sweep().enlist(a);
  loop.sweep().enlist(b);
  loop.sweep().enlist(c);
  loop.run();
  CHECK(a.fired == std::vector<Micros>{30s});
  CHECK(b.fired == std::vector<Micros>{10s});
  CHECK(c.fired == std::vector<Micros>{20s});
}

TEST_CASE("a deadline moved later is met at its new time", "[sweep]") {
  EventLoop loop(true);
  Deadline a(10s);
  loop.sweep().enlist(a);
  loop.call_at(Micros(5s), [&] { a.at = 25s; });  // activity: no call into the sweep
  loop.run();
  CHECK(a.fired == std::vector<Micros>{25s});
}

TEST_CASE("members destroyed or added inside a tick are handled", "[sweep]") {
  EventLoop loop(true);
  Deadline a(10s);
  auto b = std::make_unique<Deadline>(40s);
  Deadline c(15s);
  a.then = [&] {
    b.reset();                 // another member goes away
    loop.sweep().enlist(c);    // and an earlier one than the rest comes
  };
  Deadline d(50s);
  loop.sweep().enlist(a);
  loop.sweep().enlist(*b);
  loop.sweep().enlist(d);
  loop.run();
  CHECK(a.fired == std::vector<Micros>{10s});
  CHECK(c.fired == std::vector<Micros>{15s});
  CHECK(d.fired == std::vector<Micros>{50s});
}

TEST_CASE("a member that left is not asked", "[sweep]") {
  EventLoop loop(true);
  Deadline a(10s), b(20s);
  loop.sweep().enlist(a);
  loop.sweep().enlist(b);
  a.leave();
  loop.run();
  CHECK(a.fired.empty());
  CHECK(b.fired == std::vector<Micros>{20s});
}
