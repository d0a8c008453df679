// Heap allocations per echoed message on the receive/send path of net::TcpSession (issue 17's
// budget): a loopback peer sends 64 bytes, the session's receive event sends them back, and a
// counting operator new (this binary's own, see counting_new.cpp) counts what one message costs
// once the connection is warm. Lua is not involved: this is the C++ core every script pays for.
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "core/event_loop.hpp"
#include "core/trace.hpp"
#include "core/ip/tcp_buffers.hpp"
#include "core/ip/tcp_session.hpp"

using nodemcu_emu::core::EventLoop;
using nodemcu_emu::core::Trace;
using nodemcu_emu::net::TcpSession;
using nodemcu_emu::net::TcpSessionEvents;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Sends back every frame, as bench/echo.lua does (one send per receive, "sent" ignored).
struct Echo : TcpSessionEvents {
  std::weak_ptr<TcpSession> session;
  void on_connected() override {}
  bool on_receive(const char* data, std::size_t n) override {
    if (auto s = session.lock()) s->send(data, n);
    return true;
  }
  void on_sent() override {}
  void on_disconnected(int) override {}
  void on_slot(bool) override {}
};

struct EchoPair {
  EventLoop loop{false};
  Trace trace;
  EventLoop::KeepAlive keep = loop.keep_alive();
  tcp::acceptor acceptor{loop.io(), tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  tcp::socket peer{loop.io()};
  std::shared_ptr<Echo> events = std::make_shared<Echo>();
  std::shared_ptr<nodemcu_emu::net::TcpSessionRelay> session;

  EchoPair() {
    // As the emulator's listeners: accepted sockets inherit TCP_NODELAY (TcpConnection's
    // constructor for them relies on it).
    acceptor.set_option(tcp::no_delay(true));
    peer.connect(acceptor.local_endpoint());
    tcp::socket accepted(loop.io());
    acceptor.accept(accepted);
    session = std::make_shared<nodemcu_emu::net::TcpSessionRelay>(loop, trace, nodemcu_emu::core::ObjectName{"tcp", 1},
                                           TcpSession::Config{});
    events->session = session;
    session->attach(events);
    session->adopt(accepted.release(), peer.local_endpoint(), 30);  // with the idle timeout, as servers have it
    session->start();
  }

  // One message there and back; the loop turns until the answer is in the peer's buffer
  // (bounded: a lost message fails the test instead of hanging it). Turns of the EventLoop, not
  // bare Asio handlers: the answer leaves with the loop's send ring (core/send_ring.hpp).
  bool round_trip(const char* msg, char* back, std::size_t n) {
    asio::write(peer, asio::buffer(msg, n));
    for (int i = 0; i < 1000 && peer.available() < n; ++i)
      loop.step(loop.now() + std::chrono::milliseconds(100));
    if (peer.available() < n) return false;
    asio::read(peer, asio::buffer(back, n));
    return true;
  }
};

}  // namespace

TEST_CASE("an echoed 64-byte message costs no heap allocation once the connection is warm",
          "[alloc]") {
  EchoPair t;
  char msg[64], back[64];
  std::fill(std::begin(msg), std::end(msg), 'm');
  for (int i = 0; i < 50; ++i) REQUIRE(t.round_trip(msg, back, sizeof msg));  // warm-up

  constexpr int k_messages = 500;
  auto before = alloc_counter::count();
  bool all_back = true;
  for (int i = 0; i < k_messages && all_back; ++i) all_back = t.round_trip(msg, back, sizeof msg);
  auto allocations = alloc_counter::count() - before;
  REQUIRE(all_back);
  CHECK(std::string(back, sizeof back) == std::string(msg, sizeof msg));
  INFO("allocations per message: " << double(allocations) / k_messages);
  CHECK(allocations <= k_messages * ALLOC_CEILING_PER_MESSAGE);
}

// Many connections write in one wake-up (bench/echo.lua's 50): each holds a Writes until its
// bytes leave, and all of them come back as spares, so the next round allocates nothing.
TEST_CASE("the spare write buffers serve 64 connections writing at once without allocating",
          "[alloc]") {
  nodemcu_emu::net::TcpBuffers buffers;
  std::vector<std::unique_ptr<nodemcu_emu::net::TcpWrites>> held;
  auto round = [&] {
    for (int i = 0; i < 64; ++i) {
      held.push_back(buffers.take());
      held.back()->queued.append(1460, 'x');
    }
    for (auto& w : held) buffers.give_back(std::move(w));
    held.clear();
  };
  held.reserve(64);
  round();  // warm-up: the Writes and their buffers are made
  auto before = alloc_counter::count();
  for (int i = 0; i < 10; ++i) round();
  CHECK(alloc_counter::count() - before == 0);
  // Bounded by bytes: a buffer that grew past the device's send buffer is not kept.
  auto big = buffers.take();
  big->queued.append(64 * 1024, 'y');
  buffers.give_back(std::move(big));
  CHECK(buffers.spare_bytes <= nodemcu_emu::net::TcpBuffers::k_max_spare_bytes);
}
