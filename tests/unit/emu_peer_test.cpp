// peer::TcpPeer, TcpPeerListener and UdpPeer, the Lua-free cores of emu.peer: two peers on one
// loop (virtual time) talk to each other over loopback, as a test's peer talks to the app.
// And core::ip::reserve_free_port, behind --port-map P=0, which lets such tests name the app's port.
#include "modules/emu/tcp_peer.hpp"
#include "modules/emu/udp_peer.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "core/event_loop.hpp"
#include "core/ip/free_port.hpp"
#include "core/trace.hpp"
#include "core/trace_recording.hpp"

using nodemcu_emu::core::EventLoop;
using nodemcu_emu::core::Micros;
using nodemcu_emu::core::Trace;
using nodemcu_emu::core::TraceRecording;
using nodemcu_emu::peer::PeerTrace;
using nodemcu_emu::peer::TcpPeer;
using nodemcu_emu::peer::TcpPeerListener;
using nodemcu_emu::peer::UdpPeer;
namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;
using namespace std::chrono_literals;
using End = TcpPeer::End;

namespace {

// Runs the loop until ready() or 5 s on the Clock, as emu.peer's reads do.
template <class F>
bool run_until(EventLoop& loop, F ready) {
  auto busy = loop.keep_alive();
  Micros limit = loop.now() + 5s;
  while (!ready())
    if (!loop.step(limit)) return ready();
  return true;
}

const auto k_loopback = asio::ip::address(asio::ip::address_v4::loopback());

// A listener and a connected pair: client (connect) and server (accepted).
struct Pair {
  EventLoop loop{true};
  Trace trace;
  std::shared_ptr<TcpPeerListener> listener =
      std::make_shared<TcpPeerListener>(loop, PeerTrace{trace, "peer#1"});
  std::shared_ptr<TcpPeer> client, server;

  Pair() {
    boost::system::error_code ec;
    REQUIRE(listener->open({k_loopback, 0}, ec));
    client = TcpPeer::connect(loop, {k_loopback, listener->port()}, PeerTrace{trace, "peer#2"});
    REQUIRE(run_until(loop, [&] { return !client->connecting() && listener->has_connection(); }));
    server = listener->take();
    REQUIRE(server);
  }
};

}  // namespace

TEST_CASE("two tcp peers exchange bytes both ways; a read waits for them on the loop") {
  Pair p;
  CHECK(p.client->end() == End::none);
  p.client->send("hello");
  REQUIRE(run_until(p.loop, [&] { return p.server->received().size() >= 5; }));
  CHECK(p.server->received() == "hello");
  p.server->consume(2);
  CHECK(p.server->received() == "llo");
  p.server->send("world");
  REQUIRE(run_until(p.loop, [&] { return p.client->received() == "world"; }));
  CHECK(p.server->name() == "peer#1.1");
}

TEST_CASE("a half-close is an end of file for the other side, which may still answer") {
  Pair p;
  p.client->send("last words");
  p.client->shutdown();
  CHECK_FALSE(p.client->can_send());
  REQUIRE(run_until(p.loop, [&] { return p.server->end() == End::eof; }));
  CHECK(p.server->received() == "last words");
  CHECK(p.server->can_send());
  p.server->send("noted");
  p.server->close();
  REQUIRE(run_until(p.loop, [&] { return p.client->end() == End::eof; }));
  CHECK(p.client->received() == "noted");
  CHECK(p.server->end() == End::closed);
}

TEST_CASE("abort resets the connection: the other side ends with End::reset") {
  Pair p;
  p.server->abort();
  REQUIRE(run_until(p.loop, [&] { return p.client->end() != End::none; }));
  CHECK(p.client->end() == End::reset);
  CHECK(p.client->error());
}

TEST_CASE("4 MB that the host cannot take at once go out as the loop runs, in order") {
  Pair p;
  std::string big(4 << 20, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  p.client->send(big);
  CHECK(p.client->unsent() > 0);
  p.client->close();  // what was sent still goes, then FIN
  REQUIRE(run_until(p.loop, [&] { return p.server->end() == End::eof; }));
  CHECK(p.server->received() == big);
  CHECK(p.client->unsent() == 0);
}

TEST_CASE("a connect to a port nobody listens on fails with the host's reason") {
  EventLoop loop(true);
  Trace trace;
  // A port that was just free: a listener's, closed.
  auto closed = std::make_shared<TcpPeerListener>(loop, PeerTrace{trace, "peer#1"});
  boost::system::error_code ec;
  REQUIRE(closed->open({k_loopback, 0}, ec));
  std::uint16_t port = closed->port();
  closed->close();
  auto c = TcpPeer::connect(loop, {k_loopback, port}, PeerTrace{trace, "peer#2"});
  REQUIRE(run_until(loop, [&] { return !c->connecting(); }));
  CHECK(c->end() == End::failed);
  CHECK(c->error() == asio::error::connection_refused);
}

TEST_CASE("a peer's addresses are this process's own: connections to them hold no virtual time") {
  Pair p;
  CHECK(p.loop.peers().is_own(p.client->local_endpoint()));
  CHECK(p.loop.peers().is_own(tcp::endpoint(k_loopback, p.listener->port())));
  auto local = p.client->local_endpoint();
  tcp::endpoint listening(k_loopback, p.listener->port());
  p.client->close();
  p.listener->close();
  CHECK_FALSE(p.loop.peers().is_own(local));
  CHECK_FALSE(p.loop.peers().is_own(listening));
}

TEST_CASE("udp peers exchange datagrams and see who sent each") {
  EventLoop loop(true);
  Trace trace;
  auto a = std::make_shared<UdpPeer>(loop, PeerTrace{trace, "peer#1"});
  auto b = std::make_shared<UdpPeer>(loop, PeerTrace{trace, "peer#2"});
  boost::system::error_code ec;
  REQUIRE(a->open({k_loopback, 0}, ec));
  REQUIRE(b->open({k_loopback, 0}, ec));
  a->send_to("one", {k_loopback, b->port()}, ec);
  a->send_to("two", {k_loopback, b->port()}, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(run_until(loop, [&] { return b->has_datagram(); }));
  CHECK(b->front().data == "one");
  CHECK(b->front().from == udp::endpoint(k_loopback, a->port()));
  b->pop();
  REQUIRE(run_until(loop, [&] { return b->has_datagram(); }));
  CHECK(b->front().data == "two");
  b->close();
  CHECK_FALSE(b->is_open());
}

TEST_CASE("peers trace under their own names, only while something hears the trace") {
  Pair p;
  TraceRecording rec(p.trace);
  p.client->send("abc");
  REQUIRE(run_until(p.loop, [&] { return p.server->received().size() == 3; }));
  REQUIRE(rec.events().size() == 2);
  CHECK(rec.events()[0].subject == "peer#2");
  CHECK(rec.events()[0].event == "send");
  CHECK(rec.events()[1].subject == "peer#1.1");
  CHECK(rec.events()[1].event == "recv");
  CHECK(std::get<long long>(rec.events()[1].fields.at(0).second) == 3);
}

TEST_CASE("--port-map P=0 reserves a loopback port for TCP and UDP until it is bound here") {
  std::uint16_t port = nodemcu_emu::core::ip::reserve_free_port(k_loopback);
  REQUIRE(port != 0);
  asio::io_context io;
  boost::system::error_code ec;
  {
    // Held: nobody else binds it in the meantime, not even with SO_REUSEADDR.
    tcp::acceptor a(io);
    a.open(tcp::v4());
    a.set_option(asio::socket_base::reuse_address(true));
    a.bind({k_loopback, port}, ec);
    CHECK(ec == asio::error::address_in_use);
    udp::socket u(io);
    u.open(udp::v4());
    u.bind({k_loopback, port}, ec);
    CHECK(ec == asio::error::address_in_use);
  }
  nodemcu_emu::core::ip::release_reserved_port(port);
  nodemcu_emu::core::ip::release_reserved_port(port);  // twice: nothing happens
  tcp::acceptor a(io);
  udp::socket u(io);
  a.open(tcp::v4());
  a.bind({k_loopback, port}, ec);
  CHECK_FALSE(ec);
  u.open(udp::v4());
  u.bind({k_loopback, port}, ec);
  CHECK_FALSE(ec);
}
