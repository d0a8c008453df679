// core::EventLoop and the Clocks: virtual time jumps when idle, real time waits, run() ends when
// nothing can happen any more or the run limit passes.
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/event_loop.hpp"

using nodemcu_emu::core::EventLoop;
using nodemcu_emu::core::Micros;
using nodemcu_emu::core::RealClock;
using nodemcu_emu::core::VirtualClock;
using namespace std::chrono_literals;

namespace {
// Wall-clock time a piece of code takes.
template <class F>
std::chrono::steady_clock::duration wall_time(F&& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::steady_clock::now() - start;
}
}  // namespace

TEST_CASE("a virtual clock starts at zero and moves only when told", "[clock]") {
  VirtualClock clock;
  CHECK(clock.is_virtual());
  CHECK(clock.now() == Micros(0));
  clock.advance_to(Micros(1500));
  CHECK(clock.now() == Micros(1500));
  clock.busy_wait(Micros(500));  // tmr.delay: time passes, nothing else happens
  CHECK(clock.now() == Micros(2000));
}

TEST_CASE("a virtual clock never moves backwards", "[clock]") {
  VirtualClock clock;
  clock.advance_to(Micros(1000));
  clock.advance_to(Micros(10));
  CHECK(clock.now() == Micros(1000));
}

TEST_CASE("a real clock is monotonic and busy_wait blocks for at least the duration", "[clock]") {
  RealClock clock;
  CHECK_FALSE(clock.is_virtual());
  Micros before = clock.now();
  clock.busy_wait(Micros(2000));
  CHECK(clock.now() - before >= Micros(2000));
}

TEST_CASE("a one-hour call_after under virtual time fires in well under a second of wall time",
          "[event_loop]") {
  EventLoop loop(true);
  Micros fired_at{-1};
  loop.call_after(std::chrono::hours(1), [&] { fired_at = loop.now(); });
  int status = -1;
  auto wall = wall_time([&] { status = loop.run(); });
  CHECK(status == 0);
  CHECK(fired_at == std::chrono::hours(1));
  CHECK(wall < 1s);
}

TEST_CASE("virtual time stands still while handlers run and jumps to each deadline in turn",
          "[event_loop]") {
  EventLoop loop(true);
  std::vector<long long> seen;
  loop.call_after(Micros(300), [&] { seen.push_back(loop.now().count()); });
  loop.call_after(Micros(100), [&] {
    seen.push_back(loop.now().count());
    loop.post([&] { seen.push_back(loop.now().count()); });  // same instant: no time passed
    loop.call_after(Micros(50), [&] { seen.push_back(loop.now().count()); });
  });
  loop.run();
  CHECK(seen == std::vector<long long>{100, 100, 150, 300});
}

TEST_CASE("run() returns at once when there is no work at all", "[event_loop]") {
  EventLoop loop(true);
  auto wall = wall_time([&] { CHECK(loop.run() == 0); });
  CHECK(loop.now() == Micros(0));
  CHECK(wall < 1s);
}

TEST_CASE("run() under real time returns at once when there is no work", "[event_loop]") {
  EventLoop loop(false);
  auto wall = wall_time([&] { CHECK(loop.run() == 0); });
  CHECK(wall < 1s);
}

TEST_CASE("posted handlers run before run() decides there is no work", "[event_loop]") {
  EventLoop loop(true);
  int chain = 0;
  loop.post([&] {
    ++chain;
    loop.post([&] {
      ++chain;
      loop.call_after(Micros(10), [&] { ++chain; });
    });
  });
  loop.run();
  CHECK(chain == 3);
  CHECK(loop.now() == Micros(10));
}

TEST_CASE("a run limit stops the loop at that time on the clock even with timers left",
          "[event_loop]") {
  EventLoop loop(true);
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    loop.call_after(1s, tick);
  };
  loop.call_after(1s, tick);
  auto wall = wall_time([&] { CHECK(loop.run(Micros(10500000)) == 0); });
  CHECK(ticks == 10);
  CHECK(loop.now() == Micros(10500000));
  CHECK(wall < 1s);
}

TEST_CASE("a timer due exactly at the run limit still fires", "[event_loop]") {
  EventLoop loop(true);
  bool fired = false;
  loop.call_after(5s, [&] { fired = true; });
  loop.call_after(6s, [] {});
  loop.run(Micros(5000000));
  CHECK(fired);
  CHECK(loop.now() == 5s);
}

TEST_CASE("with no timer before the run limit, the virtual clock jumps to the limit", "[event_loop]") {
  EventLoop loop(true);
  bool fired = false;
  loop.call_after(std::chrono::hours(2), [&] { fired = true; });
  loop.run(Micros(3000000));
  CHECK_FALSE(fired);
  CHECK(loop.now() == 3s);
}

TEST_CASE("a cancelled timer neither fires nor keeps the loop running", "[event_loop]") {
  EventLoop loop(true);
  bool fired = false;
  auto id = loop.call_after(std::chrono::hours(1), [&] { fired = true; });
  CHECK(loop.timer_pending(id));
  CHECK(loop.cancel(id));
  CHECK_FALSE(loop.timer_pending(id));
  loop.run();
  CHECK_FALSE(fired);
  CHECK(loop.now() == Micros(0));  // nothing to jump to
}

TEST_CASE("stop() ends run() with its exit status; timers due later never fire", "[event_loop]") {
  EventLoop loop(true);
  bool late = false;
  loop.call_after(1s, [&] { loop.stop(3); });
  loop.call_after(2s, [&] { late = true; });
  CHECK(loop.run() == 3);
  CHECK(loop.stopping());
  CHECK_FALSE(late);
  CHECK(loop.now() == 1s);
}

TEST_CASE("the first stop() decides the exit status", "[event_loop]") {
  EventLoop loop(true);
  loop.post([&] {
    loop.stop(1);
    loop.stop(0);
  });
  CHECK(loop.run() == 1);
}

TEST_CASE("a keep-alive token keeps the loop running until it is released", "[event_loop]") {
  EventLoop loop(true, 0.1);
  auto token = std::make_shared<EventLoop::KeepAlive>(loop.keep_alive());
  CHECK(static_cast<bool>(*token));
  // Something outside the clock (a socket, the console) releases it later.
  loop.call_after(1s, [&] { loop.post([&] { token->reset(); }); });
  loop.run();
  CHECK_FALSE(static_cast<bool>(*token));
  CHECK(loop.now() == 1s);
}

TEST_CASE("a moved keep-alive token counts once", "[event_loop]") {
  EventLoop loop(true, 0.1);
  EventLoop::KeepAlive a = loop.keep_alive();
  EventLoop::KeepAlive b = std::move(a);
  CHECK_FALSE(static_cast<bool>(a));
  CHECK(static_cast<bool>(b));
  b.reset();
  auto wall = wall_time([&] { loop.run(); });  // nothing holds the loop any more
  CHECK(wall < 1s);
}

TEST_CASE("under real time a short timer fires after at least its delay", "[event_loop]") {
  EventLoop loop(false);
  Micros fired_at{0};
  loop.call_after(Micros(20000), [&] { fired_at = loop.now(); });
  auto wall = wall_time([&] { loop.run(); });
  CHECK(fired_at >= Micros(20000));
  CHECK(wall >= 20ms);
  CHECK(wall < 1s);
}

TEST_CASE("under real time a run limit bounds the run", "[event_loop]") {
  EventLoop loop(false);
  bool fired = false;
  loop.call_after(std::chrono::hours(1), [&] { fired = true; });
  auto wall = wall_time([&] { loop.run(Micros(30000)); });
  CHECK_FALSE(fired);
  CHECK(wall >= 30ms);
  CHECK(wall < 1s);
}

TEST_CASE("a chain of posted handlers does not starve a timer that is due", "[event_loop]") {
  for (bool virtual_time : {true, false}) {
    EventLoop loop(virtual_time);
    int chain = 0;
    int chain_when_fired = -1;
    std::function<void()> step = [&] {
      if (++chain < 1000) loop.post(step);
    };
    loop.call_after(Micros(0), [&] { chain_when_fired = chain; });
    loop.post(step);
    loop.run();
    CHECK(chain == 1000);
    INFO("virtual time: " << virtual_time);
    CHECK(chain_when_fired >= 0);
    CHECK(chain_when_fired < 10);
  }
}

TEST_CASE("under virtual time a handler chain takes no time; the clock moves when it ends",
          "[event_loop]") {
  EventLoop loop(true);
  int chain = 0;
  Micros fired_at{-1};
  std::function<void()> step = [&] {
    if (++chain < 100) loop.post(step);
  };
  loop.call_after(Micros(10), [&] { fired_at = loop.now(); });
  loop.post(step);
  loop.run();
  CHECK(chain == 100);
  CHECK(fired_at == Micros(10));
}
