// net::TcpListener, the Lua-free core of net.tcpserver: the accept loop and its gate (the
// device's established-connection limit).
#include "modules/net/tcp_listener.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "core/event_loop.hpp"

using nodemcu_emu::core::EventLoop;
using nodemcu_emu::net::TcpListener;
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct Gate : TcpListener::Events {
  bool open = true;
  int refused = 0;
  std::vector<tcp::endpoint> peers;
  bool may_accept() override {
    if (!open) ++refused;
    return open;
  }
  void on_accepted(int fd, const tcp::endpoint& peer) override {
    ::close(fd);
    peers.push_back(peer);
  }
};

struct Fixture {
  EventLoop loop{true};
  EventLoop::KeepAlive keep = loop.keep_alive();
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::shared_ptr<TcpListener> listener = std::make_shared<TcpListener>(loop);
  tcp::endpoint at;

  Fixture() {
    listener->attach(gate);
    boost::system::error_code ec;
    bool listen_failed = false;
    REQUIRE(listener->open(tcp::endpoint(asio::ip::address_v4::loopback(), 0), ec, listen_failed));
    at = tcp::endpoint(asio::ip::address_v4::loopback(), listener->port());
  }
  void run_for(nodemcu_emu::core::Micros d) { loop.run(loop.now() + d); }
};

}  // namespace

TEST_CASE("a listener accepts each connection and reports its peer", "[tcp_listener]") {
  Fixture t;
  t.listener->resume();
  tcp::socket a(t.loop.io()), b(t.loop.io());
  a.connect(t.at);
  b.connect(t.at);
  t.run_for(1s);
  REQUIRE(t.gate->peers.size() == 2);
  CHECK(t.gate->peers[0] == a.local_endpoint());
  CHECK(t.gate->peers[1] == b.local_endpoint());
}

TEST_CASE("while the gate is shut a connection waits in the backlog until resume",
          "[tcp_listener]") {
  Fixture t;
  t.gate->open = false;
  t.listener->resume();
  CHECK(t.gate->refused == 1);
  tcp::socket a(t.loop.io());
  a.connect(t.at);
  t.run_for(1s);
  CHECK(t.gate->peers.empty());
  t.gate->open = true;
  t.listener->resume();
  t.run_for(1s);
  CHECK(t.gate->peers.size() == 1);
}

// One readiness, one turn of the loop: the connections waiting in the backlog are taken
// together (up to the batch), or one per readiness by default.
TEST_CASE("one readiness takes up to accept_up_to connections, then stops at the gate",
          "[tcp_listener]") {
  Fixture t;
  t.listener->accept_up_to(3);
  t.listener->resume();
  std::vector<tcp::socket> clients;
  for (int i = 0; i < 5; ++i) clients.emplace_back(t.loop.io()).connect(t.at);
  // The turns until the first accept (the Poller's wake-up), then that one turn's batch.
  for (int turn = 0; turn < 100 && t.gate->peers.empty(); ++turn) t.loop.step(t.loop.now() + 1s);
  CHECK(t.gate->peers.size() == 3);
  t.gate->open = false;  // the gate is asked before each connection after the first
  for (int turn = 0; turn < 10; ++turn) t.loop.step(t.loop.now() + 1s);
  CHECK(t.gate->peers.size() == 4);
  CHECK(t.gate->refused >= 1);
}

TEST_CASE("by default one readiness takes one connection", "[tcp_listener]") {
  Fixture t;
  t.listener->resume();
  std::vector<tcp::socket> clients;
  for (int i = 0; i < 3; ++i) clients.emplace_back(t.loop.io()).connect(t.at);
  for (int turn = 0; turn < 100 && t.gate->peers.empty(); ++turn) t.loop.step(t.loop.now() + 1s);
  CHECK(t.gate->peers.size() == 1);
  t.run_for(1s);
  CHECK(t.gate->peers.size() == 3);
}

TEST_CASE("a closed listener accepts nothing more and frees its port", "[tcp_listener]") {
  Fixture t;
  t.listener->resume();
  t.listener->close();
  CHECK_FALSE(t.listener->listening());
  t.run_for(1s);
  tcp::socket a(t.loop.io());
  boost::system::error_code ec;
  a.connect(t.at, ec);
  CHECK(ec == asio::error::connection_refused);
  CHECK(t.gate->peers.empty());
}

TEST_CASE("accepted sockets are non-blocking and close-on-exec from accept4", "[tcp_listener]") {
  struct Keep : TcpListener::Events {
    std::vector<int> fds;
    bool may_accept() override { return true; }
    void on_accepted(int fd, const tcp::endpoint&) override { fds.push_back(fd); }
  };
  Fixture t;
  auto keep = std::make_shared<Keep>();
  t.listener->attach(keep);
  t.listener->resume();
  tcp::socket a(t.loop.io());
  a.connect(t.at);
  t.run_for(1s);
  REQUIRE(keep->fds.size() == 1);
  CHECK((::fcntl(keep->fds[0], F_GETFL) & O_NONBLOCK) != 0);
  CHECK((::fcntl(keep->fds[0], F_GETFD) & FD_CLOEXEC) != 0);
  ::close(keep->fds[0]);
}
