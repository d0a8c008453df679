// core::PeerWatch: which connections hold virtual time still (outside peers, for a grace of
// real time after their last traffic) and which do not (sockets of this process).
#include <catch2/catch.hpp>
#include <chrono>

#include "core/event_loop.hpp"
#include "core/peer_watch.hpp"

using nodemcu_emu::core::EventLoop;
using nodemcu_emu::core::PeerWatch;
using boost::asio::ip::make_address;
using Endpoint = PeerWatch::Endpoint;
using namespace std::chrono_literals;

TEST_CASE("a hold keeps the clock still for the grace after its last touch", "[peer_watch]") {
  PeerWatch watch(1000ms);
  auto now = std::chrono::steady_clock::now();
  CHECK_FALSE(watch.held_until(now));
  auto hold = watch.hold();
  REQUIRE(hold);
  auto until = watch.held_until(now);
  REQUIRE(until);
  CHECK(*until >= now + 1000ms);
  CHECK(*until <= std::chrono::steady_clock::now() + 1000ms);
  // Past the grace nothing is held any more, although the hold still exists.
  CHECK_FALSE(watch.held_until(now + 2000ms));
}

TEST_CASE("a hold that is reset or destroyed holds nothing", "[peer_watch]") {
  PeerWatch watch(1000ms);
  auto now = std::chrono::steady_clock::now();
  auto hold = watch.hold();
  hold.reset();
  CHECK_FALSE(hold);
  CHECK_FALSE(watch.held_until(now));
  { auto other = watch.hold(); }
  CHECK_FALSE(watch.held_until(now));
}

TEST_CASE("grace 0 turns the rule off: no hold is ever made", "[peer_watch]") {
  PeerWatch watch(0ms);
  auto hold = watch.hold();
  CHECK_FALSE(hold);
  hold.touch();  // harmless on an empty hold
  CHECK_FALSE(watch.held_until(std::chrono::steady_clock::now()));
  Endpoint ep(make_address("127.0.0.1"), 40000);
  auto own = watch.own(ep);
  CHECK_FALSE(watch.is_own(ep));  // nothing kept: the caller never asks while it is off
}

TEST_CASE("real time turns the rule off whatever the grace", "[peer_watch][loop]") {
  EventLoop loop(false, 2.0, 1000.0);
  CHECK_FALSE(loop.peers().active());
  CHECK_FALSE(loop.peers().hold());
  EventLoop virtual_loop(true, 2.0, 1000.0);
  CHECK(virtual_loop.peers().active());
}

TEST_CASE("an endpoint is the process's while its Own lives", "[peer_watch]") {
  PeerWatch watch(1000ms);
  Endpoint client(make_address("127.0.0.1"), 40000);
  CHECK_FALSE(watch.is_own(client));
  {
    auto own = watch.own(client);
    CHECK(watch.is_own(client));
    CHECK_FALSE(watch.is_own(Endpoint(make_address("127.0.0.1"), 40001)));
    auto moved = std::move(own);
    CHECK(watch.is_own(client));
  }
  CHECK_FALSE(watch.is_own(client));
}

TEST_CASE("a listener on the any-address owns its port on every address", "[peer_watch]") {
  PeerWatch watch(1000ms);
  auto own = watch.own(Endpoint(make_address("0.0.0.0"), 8080));
  CHECK(watch.is_own(Endpoint(make_address("127.0.0.1"), 8080)));
  CHECK(watch.is_own(Endpoint(make_address("127.0.0.5"), 8080)));
  CHECK_FALSE(watch.is_own(Endpoint(make_address("127.0.0.1"), 8081)));
}

TEST_CASE("two listeners sharing an endpoint (SO_REUSEPORT) own it until both are gone",
          "[peer_watch]") {
  PeerWatch watch(1000ms);
  Endpoint ep(make_address("127.0.0.1"), 9000);
  auto a = watch.own(ep);
  {
    auto b = watch.own(ep);
  }
  CHECK(watch.is_own(ep));
  a.reset();
  CHECK_FALSE(watch.is_own(ep));
}

TEST_CASE("virtual time does not jump past a deadline while an outside peer is held",
          "[peer_watch][loop]") {
  EventLoop loop(true, 2.0, 150.0);
  auto keep = loop.keep_alive();  // an open socket
  bool fired = false;
  loop.call_after(std::chrono::seconds(30), [&] {
    fired = true;
    keep.reset();
  });
  auto hold = loop.peers().hold();
  auto start = std::chrono::steady_clock::now();
  loop.run();
  CHECK(fired);
  CHECK(loop.now() == std::chrono::seconds(30));
  // The jump waited for the hold to run out: at least its 150 ms of real time.
  CHECK(std::chrono::steady_clock::now() - start >= 150ms);
}
