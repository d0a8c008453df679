// net::UdpHost, the host sockets standing in for one lwIP udp pcb: what arrives, what is
// exclusive, what stops after close.
#include "modules/net/udp_host.hpp"

#include <array>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/event_loop.hpp"

using nodemcu_emu::core::EventLoop;
using nodemcu_emu::net::UdpHost;
namespace asio = boost::asio;
using asio::ip::udp;
using namespace std::chrono_literals;

namespace {

struct Datagrams : UdpHost::Listener {
  std::vector<std::string> got;  // what the listener may read: up to k_captured bytes
  std::vector<std::size_t> sizes;
  std::vector<udp::endpoint> from;
  std::vector<std::uint32_t> failed;  // tags
  std::function<void()> on_first;
  void on_datagram(const char* data, std::size_t n, const udp::endpoint& sender) override {
    got.emplace_back(data, std::min(n, UdpHost::k_captured));
    sizes.push_back(n);
    from.push_back(sender);
    if (got.size() == 1 && on_first) on_first();
  }
  void on_send_failed(std::uint32_t tag, const udp::endpoint&, std::size_t,
                      const boost::system::error_code&) override {
    failed.push_back(tag);
  }
};

// A UDP port free on 127.0.0.1 a moment ago.
std::uint16_t free_port(asio::io_context& io) {
  udp::socket probe(io, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  return probe.local_endpoint().port();
}

struct Fixture {
  EventLoop loop{true};
  EventLoop::KeepAlive keep = loop.keep_alive();
  asio::ip::address own = asio::ip::address_v4::loopback();
  UdpHost host{loop, own};
  std::shared_ptr<Datagrams> listener = std::make_shared<Datagrams>();
  std::uint16_t port = free_port(loop.io());
  udp::socket peer{loop.io(), udp::endpoint(asio::ip::address_v4::loopback(), 0)};

  void run_for(nodemcu_emu::core::Micros d) { loop.run(loop.now() + d); }
  void peer_sends(const std::string& data) {
    peer.send_to(asio::buffer(data), udp::endpoint(own, port));
  }
};

// Every datagram waiting on `peer`, without blocking.
std::vector<std::string> take_all(udp::socket& peer) {
  peer.non_blocking(true);
  std::vector<std::string> got;
  std::array<char, 64> buf{};
  udp::endpoint sender;
  for (;;) {
    boost::system::error_code ec;
    std::size_t n = peer.receive_from(asio::buffer(buf), sender, 0, ec);
    if (ec) return got;
    got.emplace_back(buf.data(), std::min(n, buf.size()));
  }
}

// "d<i>" (not "d" + std::to_string(i): GCC 12 warns about that concatenation, wrongly).
std::string numbered(int i) {
  std::string s = std::to_string(i);
  s.insert(s.begin(), 'd');
  return s;
}

}  // namespace

TEST_CASE("a datagram to the pcb's port reaches the listener whole, with its sender",
          "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  t.host.receive(t.listener);
  t.peer_sends("hello");
  t.peer_sends(std::string(3000, 'b'));  // bigger than the device takes: the binding drops it
  t.run_for(1s);
  REQUIRE(t.listener->got.size() == 2);
  CHECK(t.listener->got[0] == "hello");
  CHECK(t.listener->sizes[1] == 3000);  // its real size, though only k_captured bytes are kept
  CHECK(t.listener->got[1] == std::string(UdpHost::k_captured, 'b'));
  CHECK(t.listener->from[0] == t.peer.local_endpoint());
}

TEST_CASE("the pcb's own port is exclusive, as udp_bind is", "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  UdpHost second(t.loop, t.own);
  CHECK_FALSE(second.open(t.port, 255, ec));
  CHECK(ec == asio::error::address_in_use);
  CHECK_FALSE(second.is_open());
}

TEST_CASE("what the pcb sends arrives from its own port", "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 64, ec));
  t.host.send_to("ping", t.peer.local_endpoint(), 0, ec);
  CHECK_FALSE(ec);
  t.run_for(1ms);  // it leaves when the handler that sent it returns: here, at the next turn
  char buf[16];
  udp::endpoint sender;
  std::size_t n = t.peer.receive_from(asio::buffer(buf), sender);
  CHECK(std::string(buf, n) == "ping");
  CHECK(sender == udp::endpoint(t.own, t.port));
}

TEST_CASE("after close nothing arrives and the port is free again", "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  t.host.receive(t.listener);
  t.host.close();
  CHECK_FALSE(t.host.is_open());
  t.peer_sends("late");
  t.run_for(1s);
  CHECK(t.listener->got.empty());
  UdpHost again(t.loop, t.own);
  CHECK(again.open(t.port, 255, ec));
}

TEST_CASE("datagrams sent in one handler leave in order when it returns, past the outbox's size",
          "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  const int count = static_cast<int>(UdpHost::k_outbox) + 36;
  for (int i = 0; i < count; ++i) {
    t.host.send_to(numbered(i), t.peer.local_endpoint(), 0, ec);
    REQUIRE_FALSE(ec);
  }
  // The first k_outbox went when the outbox filled; the rest wait for the handler's end.
  auto got = take_all(t.peer);
  CHECK(got.size() == UdpHost::k_outbox);
  t.run_for(1ms);
  auto rest = take_all(t.peer);
  got.insert(got.end(), rest.begin(), rest.end());
  REQUIRE(got.size() == static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) CHECK(got[i] == numbered(i));
}

TEST_CASE("close sends what the outbox holds first", "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  t.host.send_to("last words", t.peer.local_endpoint(), 0, ec);
  t.host.close();
  CHECK(take_all(t.peer) == std::vector<std::string>{"last words"});
}

TEST_CASE("a datagram the host refuses is reported with its tag, and the others still leave",
          "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  t.host.receive(t.listener);
  t.host.send_to("a", t.peer.local_endpoint(), 1, ec);
  // Larger than any IPv4 datagram: the host refuses it (EMSGSIZE), and nothing leaves loopback.
  t.host.send_to(std::string(70000, 'b'), t.peer.local_endpoint(), 2, ec);
  t.host.send_to("c", t.peer.local_endpoint(), 3, ec);
  t.run_for(1ms);
  CHECK(t.listener->failed == std::vector<std::uint32_t>{2});
  CHECK(take_all(t.peer) == std::vector<std::string>{"a", "c"});
}

TEST_CASE("a loop run inside a receive callback leaves the rest of the batch intact",
          "[udp_host]") {
  Fixture t;
  auto buffers = std::make_shared<UdpHost::ReadBuffers>();
  UdpHost a(t.loop, t.own, buffers);
  UdpHost b(t.loop, t.own, buffers);
  auto port_b = free_port(t.loop.io());
  boost::system::error_code ec;
  REQUIRE(a.open(t.port, 255, ec));
  REQUIRE(b.open(port_b, 255, ec));
  auto got_a = std::make_shared<Datagrams>();
  auto got_b = std::make_shared<Datagrams>();
  a.receive(got_a);
  b.receive(got_b);
  for (const char* d : {"a1", "a2", "a3"}) t.peer_sends(d);
  for (const char* d : {"b1", "b2", "b3"}) t.peer.send_to(asio::buffer(std::string(d)), udp::endpoint(t.own, port_b));
  // The first of a's datagrams runs the loop (as emu.advance from a callback does) until b
  // has read its own, into buffers of its own.
  got_a->on_first = [&] {
    for (int i = 0; i < 100 && got_b->got.size() < 3; ++i) t.loop.step(t.loop.now() + 1ms);
  };
  t.run_for(10ms);
  CHECK(got_b->got == std::vector<std::string>{"b1", "b2", "b3"});
  CHECK(got_a->got == std::vector<std::string>{"a1", "a2", "a3"});
}

TEST_CASE("a run of datagrams to one address arrives as the datagrams, whatever their sizes",
          "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  // Equal sizes go out as one segmented message; a shorter one ends a run, a longer one starts
  // the next.
  std::vector<std::string> sent;
  for (std::size_t size : {10, 10, 10, 4, 10, 10, 30, 30, 1, 1}) sent.push_back(std::string(size, 'a' + sent.size()));
  for (const auto& d : sent) t.host.send_to(d, t.peer.local_endpoint(), 0, ec);
  t.run_for(1ms);
  CHECK(take_all(t.peer) == sent);
}

TEST_CASE("a run the host refuses is reported datagram by datagram", "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  t.host.receive(t.listener);
  udp::endpoint away(asio::ip::make_address_v4("192.0.2.1"), 9);
  t.host.send_to("a", t.peer.local_endpoint(), 1, ec);
  for (std::uint32_t tag : {2, 3, 4}) t.host.send_to("bb", away, tag, ec);
  t.host.send_to("c", t.peer.local_endpoint(), 5, ec);
  t.host.send_to("d", t.peer.local_endpoint(), 6, ec);
  t.run_for(1ms);
  CHECK(t.listener->failed == std::vector<std::uint32_t>{2, 3, 4});
  CHECK(take_all(t.peer) == std::vector<std::string>{"a", "c", "d"});
}
