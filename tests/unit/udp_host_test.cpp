// net::UdpHost, the host sockets standing in for one lwIP udp pcb: what arrives, what is
// exclusive, what stops after close.
#include "modules/net/udp_host.hpp"

#include <catch2/catch.hpp>
#include <chrono>
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
  std::vector<std::string> got;
  std::vector<udp::endpoint> from;
  void on_datagram(const char* data, std::size_t n, const udp::endpoint& sender) override {
    got.emplace_back(data, n);
    from.push_back(sender);
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
  UdpHost host{loop.io(), own};
  std::shared_ptr<Datagrams> listener = std::make_shared<Datagrams>();
  std::uint16_t port = free_port(loop.io());
  udp::socket peer{loop.io(), udp::endpoint(asio::ip::address_v4::loopback(), 0)};

  void run_for(nodemcu_emu::core::Micros d) { loop.run(loop.now() + d); }
  void peer_sends(const std::string& data) {
    peer.send_to(asio::buffer(data), udp::endpoint(own, port));
  }
};

}  // namespace

TEST_CASE("a datagram to the pcb's port reaches the listener whole, with its sender",
          "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  t.host.receive(t.listener);
  t.peer_sends("hello");
  t.peer_sends(std::string(2000, 'b'));  // bigger than the device takes: the binding drops it
  t.run_for(1s);
  REQUIRE(t.listener->got.size() == 2);
  CHECK(t.listener->got[0] == "hello");
  CHECK(t.listener->got[1].size() == 2000);
  CHECK(t.listener->from[0] == t.peer.local_endpoint());
}

TEST_CASE("the pcb's own port is exclusive, as udp_bind is", "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 255, ec));
  UdpHost second(t.loop.io(), t.own);
  CHECK_FALSE(second.open(t.port, 255, ec));
  CHECK(ec == asio::error::address_in_use);
  CHECK_FALSE(second.is_open());
}

TEST_CASE("what the pcb sends arrives from its own port", "[udp_host]") {
  Fixture t;
  boost::system::error_code ec;
  REQUIRE(t.host.open(t.port, 64, ec));
  t.host.send_to("ping", t.peer.local_endpoint(), ec);
  CHECK_FALSE(ec);
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
  UdpHost again(t.loop.io(), t.own);
  CHECK(again.open(t.port, 255, ec));
}
