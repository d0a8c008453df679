// net::TcpCloser: what is left of a gracefully closed connection the host still had work for
// (bytes to write, a connect under way, unread data), on a real loop with virtual time and a
// loopback peer that reads asynchronously on the same loop.
#include "core/ip/tcp_closer.hpp"

#include <sys/socket.h>

#include <boost/asio/read.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "core/event_loop.hpp"
#include "core/ip/tcp_buffers.hpp"

using nodemcu_emu::core::EventLoop;
using nodemcu_emu::net::TcpCloser;
using nodemcu_emu::net::TcpWrites;
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// A connected pair: `fd` (ours, to hand over) and the peer, both with small buffers so that a
// large rest does not fit into the host at once.
struct Pair {
  EventLoop loop{true};
  EventLoop::KeepAlive keep = loop.keep_alive();
  tcp::acceptor acceptor{loop.io(), tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  tcp::socket peer{loop.io()};
  int fd = -1;

  Pair() {
    peer.open(tcp::v4());
    peer.set_option(asio::socket_base::receive_buffer_size(4096));
    peer.connect(acceptor.local_endpoint());
    tcp::socket ours(loop.io());
    acceptor.accept(ours);
    ours.set_option(asio::socket_base::send_buffer_size(4096));
    ours.non_blocking(true);
    fd = ours.release();
  }

  // What the peer reads until the end, and how it ended, while the loop runs.
  std::string got;
  boost::system::error_code end;
  bool ended = false;
  void peer_reads_to_end() {
    asio::async_read(peer, asio::dynamic_buffer(got), [this](const boost::system::error_code& ec, std::size_t) {
      end = ec;
      ended = true;
    });
  }
  void run_for(nodemcu_emu::core::Micros d) { loop.run(loop.now() + d); }
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

}  // namespace

TEST_CASE("a rest larger than the host takes at once is written in order, then FIN", "[tcp_closer]") {
  Pair t;
  auto rest = std::make_unique<TcpWrites>();
  std::string in_flight = pattern(300000), queued = "and the queued tail";
  rest->writing = in_flight;
  rest->write_offset = 1000;  // the host took the first 1000 bytes before the close
  rest->queued = queued;
  TcpCloser::Handover h;
  h.fd = t.fd;
  h.rest = std::move(rest);
  TcpCloser::finish(t.loop, std::move(h));
  t.peer_reads_to_end();
  t.run_for(5s);
  REQUIRE(t.ended);
  CHECK(t.end == asio::error::eof);
  CHECK(t.got.size() == in_flight.size() - 1000 + queued.size());
  CHECK(t.got == in_flight.substr(1000) + queued);
}

TEST_CASE("unread data at the close is drained: the peer gets FIN, not RST, and may send on",
          "[tcp_closer]") {
  Pair t;
  asio::write(t.peer, asio::buffer("unread", 6));
  t.run_for(10ms);  // in our host's buffer now
  TcpCloser::Handover h;
  h.fd = t.fd;
  h.rest = std::make_unique<TcpWrites>();
  h.rest->queued = "bye";
  TcpCloser::finish(t.loop, std::move(h));
  t.peer_reads_to_end();
  t.run_for(1s);
  REQUIRE(t.ended);
  CHECK(t.end == asio::error::eof);
  CHECK(t.got == "bye");
  boost::system::error_code ec;
  asio::write(t.peer, asio::buffer("late", 4), ec);  // drained too: no RST comes back
  t.run_for(1s);
  asio::write(t.peer, asio::buffer("more", 4), ec);
  CHECK_FALSE(ec);
}

TEST_CASE("a drain the peer never ends stops after 10 s", "[tcp_closer]") {
  Pair t;
  asio::write(t.peer, asio::buffer("unread", 6));
  t.run_for(10ms);
  TcpCloser::Handover h;
  h.fd = t.fd;
  TcpCloser::finish(t.loop, std::move(h));
  t.run_for(9s);
  char b;
  t.peer.non_blocking(true);
  boost::system::error_code ec;
  t.peer.read_some(asio::buffer(&b, 1), ec);
  CHECK(ec == asio::error::eof);  // FIN already (shutdown), the socket still open on our side
  asio::write(t.peer, asio::buffer("x", 1), ec);
  t.run_for(2s);  // past the limit: closed now, so the next data is refused
  asio::write(t.peer, asio::buffer("y", 1), ec);
  t.run_for(100ms);
  asio::write(t.peer, asio::buffer("z", 1), ec);
  CHECK((ec == asio::error::connection_reset || ec == asio::error::broken_pipe));
}
