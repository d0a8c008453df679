// net::TcpSession, the Lua-free core of a device TCP connection: receive framing, the send
// model, hold, the inactivity timeout and the close sequence, on a real loop with virtual time
// and a loopback peer (a plain blocking socket driven from the test between loop runs).
#include "core/ip/tcp_session.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/trace.hpp"
#include "core/ip/lwip_errors.hpp"

using nodemcu_emu::core::EventLoop;
using nodemcu_emu::core::Micros;
using nodemcu_emu::core::Trace;
using nodemcu_emu::net::TcpSession;
using nodemcu_emu::net::TcpSessionEvents;
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// Records every event; hooks let a test act from inside one, as a script's callback would.
struct Recorder : TcpSessionEvents {
  EventLoop& loop;
  explicit Recorder(EventLoop& l) : loop(l) {}

  int connected = 0;
  std::vector<std::size_t> frames;
  std::string received;
  int sent = 0;
  std::optional<int> disconnected;
  Micros disconnected_at{-1};
  int slots = 0;
  std::function<void()> when_connected;

  void on_connected() override {
    ++connected;
    if (when_connected) when_connected();
  }
  bool on_receive(const char* data, std::size_t n) override {
    frames.push_back(n);
    received.append(data, n);
    return true;
  }
  void on_sent() override { ++sent; }
  void on_disconnected(int err) override {
    disconnected = err;
    disconnected_at = loop.now();
  }
  void on_slot(bool taken) override { slots += taken ? 1 : -1; }
};

// A session adopted from a loopback accept, and its peer.
struct Loopback {
  EventLoop loop{true};
  Trace trace;                                    // off
  EventLoop::KeepAlive keep = loop.keep_alive();  // the loop waits for I/O, as a device does
  tcp::acceptor acceptor{loop.io(), tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  tcp::socket peer{loop.io()};
  std::shared_ptr<Recorder> events = std::make_shared<Recorder>(loop);
  std::shared_ptr<nodemcu_emu::net::TcpSessionRelay> session;

  explicit Loopback(int timeout_s = 0, std::size_t frame_size = 1460) {
    // As the emulator's listeners: accepted sockets inherit TCP_NODELAY (TcpConnection's
    // constructor for them relies on it).
    acceptor.set_option(tcp::no_delay(true));
    peer.connect(acceptor.local_endpoint());
    tcp::socket accepted(loop.io());
    acceptor.accept(accepted);
    session = std::make_shared<nodemcu_emu::net::TcpSessionRelay>(loop, trace, nodemcu_emu::core::ObjectName{"tcp", 1},
                                           TcpSession::Config{static_cast<std::uint32_t>(frame_size)});
    session->attach(events);
    session->adopt(accepted.release(), peer.local_endpoint(), timeout_s);
  }

  // Runs the loop until `d` of virtual time has passed.
  void run_for(Micros d) { loop.run(loop.now() + d); }

  void peer_writes(std::size_t n, char c = 'x') {
    asio::write(peer, asio::buffer(std::string(n, c)));
  }

  // What the peer reads until the session's side ends (FIN), or the error that ended it.
  std::string peer_reads_to_end(boost::system::error_code& ec) {
    std::string all;
    char buf[4096];
    for (;;) {
      std::size_t n = peer.read_some(asio::buffer(buf), ec);
      if (ec) return all;
      all.append(buf, n);
    }
  }
};

}  // namespace

TEST_CASE("a 5000-byte read arrives as 1460+1460+1460+620", "[tcp_session]") {
  Loopback t;
  t.peer_writes(5000);
  t.session->start();
  t.run_for(1s);
  CHECK(t.events->connected == 1);
  CHECK(t.events->frames == std::vector<std::size_t>{1460, 1460, 1460, 620});
  CHECK(t.events->received == std::string(5000, 'x'));
}

TEST_CASE("the frame size is the session's: 250 bytes at frame size 100 arrive as 100+100+50",
          "[tcp_session]") {
  Loopback t(0, 100);
  t.peer_writes(250);
  t.session->start();
  t.run_for(1s);
  CHECK(t.events->frames == std::vector<std::size_t>{100, 100, 50});
}

TEST_CASE("sent is reported once per send, and the peer gets the sends in order", "[tcp_session]") {
  Loopback t;
  t.events->when_connected = [&] {
    t.session->send("one,", 4);
    t.session->send("two,", 4);
    t.session->send("three", 5);
    CHECK(t.session->awaiting_sent() == 3);
  };
  t.session->start();
  t.run_for(1s);
  CHECK(t.events->sent == 3);
  CHECK(t.session->awaiting_sent() == 0);
  std::string got(13, '\0');
  asio::read(t.peer, asio::buffer(got));
  CHECK(got == "one,two,three");
}

TEST_CASE("a send fits only while the 2920-byte send buffer has room for it", "[tcp_session]") {
  Loopback t;
  CHECK(t.session->fits(TcpSession::k_send_buffer));
  CHECK_FALSE(t.session->fits(TcpSession::k_send_buffer + 1));
  std::string data(2000, 'a');
  t.session->send(data.data(), data.size());
  CHECK(t.session->fits(920));
  CHECK_FALSE(t.session->fits(921));
  t.session->start();
  t.run_for(1s);  // taken by the host: the buffer is empty again
  CHECK(t.session->fits(TcpSession::k_send_buffer));
}

TEST_CASE("the inactivity timeout ends an idle accepted connection after 30 s with ERR_ABRT",
          "[tcp_session]") {
  Loopback t(30);
  CHECK(t.events->slots == 1);
  t.session->start();
  t.run_for(100s);
  REQUIRE(t.events->disconnected.has_value());
  CHECK(*t.events->disconnected == nodemcu_emu::net::k_err_abrt);
  CHECK(t.events->disconnected_at == Micros(30s));
  CHECK(t.session->state() == TcpSession::State::idle);
  CHECK(t.events->slots == 0);
  boost::system::error_code ec;
  t.peer_reads_to_end(ec);
  CHECK(ec == asio::error::connection_reset);  // aborted as lwIP aborts: RST
}

TEST_CASE("received data moves the inactivity deadline", "[tcp_session]") {
  Loopback t(30);
  t.session->start();
  t.run_for(20s);
  t.peer_writes(10);
  t.run_for(100s);
  REQUIRE(t.events->disconnected.has_value());
  CHECK(t.events->disconnected_at == Micros(50s));
}

TEST_CASE("a held session reports no data until unhold", "[tcp_session]") {
  Loopback t;
  t.session->hold();
  t.session->start();
  t.peer_writes(10);
  t.run_for(1s);
  CHECK(t.events->frames.empty());
  t.session->unhold();
  t.run_for(1s);
  CHECK(t.events->frames == std::vector<std::size_t>{10});
}

TEST_CASE("close sends what was queued, then FIN; no event follows", "[tcp_session]") {
  Loopback t;
  t.events->when_connected = [&] {
    t.session->send("bye", 3);
    t.session->close(false);
  };
  t.session->start();
  t.run_for(1s);  // nothing unread: the host closes at once (no drain to wait for)
  boost::system::error_code ec;
  CHECK(t.peer_reads_to_end(ec) == "bye");
  CHECK(ec == asio::error::eof);
  CHECK(t.events->sent == 0);
  CHECK_FALSE(t.events->disconnected.has_value());
  CHECK(t.events->slots == 0);
}

TEST_CASE("an aborting close drops what was queued and resets the peer", "[tcp_session]") {
  Loopback t;
  t.events->when_connected = [&] {
    t.session->send("lost", 4);
    t.session->close(true);
  };
  t.session->start();
  t.run_for(1s);
  boost::system::error_code ec;
  CHECK(t.peer_reads_to_end(ec).empty());
  CHECK(ec == asio::error::connection_reset);
}

TEST_CASE("the peer's FIN is a disconnection with err 0 after the data before it",
          "[tcp_session]") {
  Loopback t;
  t.session->start();
  t.peer_writes(3);
  t.peer.shutdown(tcp::socket::shutdown_send);
  t.run_for(1s);
  CHECK(t.events->received == "xxx");
  REQUIRE(t.events->disconnected.has_value());
  CHECK(*t.events->disconnected == 0);
  CHECK(t.events->slots == 0);
}

// Data and the peer's FIN that reach a waiting reader on one wake-up: one read takes the data
// (a short read), and nothing new arrives after it. A reader that took a short read as "empty
// until the next wake-up" never hears the EOF (docs/performance.md, "tried and not kept").
TEST_CASE("data and FIN on one wake-up of a waiting reader: the data, then err 0",
          "[tcp_session][edge]") {
  Loopback t;
  t.session->start();
  t.peer_writes(1, 'a');
  t.run_for(1s);  // read; the reader waits again
  CHECK(t.events->received == "a");
  t.peer_writes(2, 'b');
  t.peer.shutdown(tcp::socket::shutdown_send);
  t.run_for(1s);
  CHECK(t.events->received == "abb");
  REQUIRE(t.events->disconnected.has_value());
  CHECK(*t.events->disconnected == 0);
}

TEST_CASE("data and FIN that arrive while held: after unhold, the data, then err 0",
          "[tcp_session][edge]") {
  Loopback t;
  t.events->when_connected = [&] { t.session->hold(); };  // held before the first read
  t.session->start();
  t.run_for(1s);
  t.peer_writes(3, 'h');
  t.peer.shutdown(tcp::socket::shutdown_send);
  t.run_for(1s);
  CHECK(t.events->received.empty());
  CHECK_FALSE(t.events->disconnected.has_value());
  t.session->unhold();
  t.run_for(1s);
  CHECK(t.events->received == "hhh");
  REQUIRE(t.events->disconnected.has_value());
  CHECK(*t.events->disconnected == 0);
}

TEST_CASE("a peer reset while held is reported at once", "[tcp_session][edge]") {
  Loopback t;
  t.events->when_connected = [&] { t.session->hold(); };
  t.session->start();
  t.run_for(1s);
  t.peer.set_option(asio::socket_base::linger(true, 0));
  t.peer.close();  // RST
  t.run_for(1s);
  REQUIRE(t.events->disconnected.has_value());
  CHECK(*t.events->disconnected == nodemcu_emu::net::k_err_rst);
}

// The peer's data that waits unread when the device closes: close(2) would answer it with RST
// (and the peer's stack may then drop the response it has not read). FIN, then the drain.
TEST_CASE("data waiting unread at close is drained: the peer gets the data sent and FIN, not RST",
          "[tcp_session][edge]") {
  Loopback t;
  t.peer_writes(4, 'u');  // in the host's buffer, not read yet when the session closes
  t.events->when_connected = [&] {
    t.session->send("bye", 3);
    t.session->close(false);
  };
  t.session->start();
  t.run_for(1s);
  t.peer_writes(4, 'l');  // late too: still drained
  t.peer.shutdown(tcp::socket::shutdown_send);
  t.run_for(1s);
  boost::system::error_code ec;
  CHECK(t.peer_reads_to_end(ec) == "bye");
  CHECK(ec == asio::error::eof);
  CHECK(t.events->received.empty());  // closed: nothing more reaches the script
}

// Nothing unread at close: the host closes at once (no drain), as lwIP's tcp_close. Data the
// peer sends after that is answered with RST, as the device's tcp_input does (TF_RXCLOSED).
TEST_CASE("data the peer sends after a close with nothing unread is answered with RST",
          "[tcp_session][edge]") {
  Loopback t;
  t.events->when_connected = [&] {
    t.session->send("bye", 3);
    t.session->close(false);
  };
  t.session->start();
  t.run_for(1s);
  boost::system::error_code ec;
  CHECK(t.peer_reads_to_end(ec) == "bye");
  CHECK(ec == asio::error::eof);
  t.peer_writes(4, 'l');  // the host answers with RST
  t.run_for(1s);
  // The RST arrived: a second write fails (the first only provoked it).
  asio::write(t.peer, asio::buffer("more", 4), ec);
  CHECK((ec == asio::error::connection_reset || ec == asio::error::broken_pipe));
}

namespace {
// An outgoing session, not yet connected, and a listener to connect it to.
struct Outgoing {
  EventLoop loop{true};
  Trace trace;
  EventLoop::KeepAlive keep = loop.keep_alive();
  tcp::acceptor acceptor{loop.io(), tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
  std::shared_ptr<Recorder> events = std::make_shared<Recorder>(loop);
  std::shared_ptr<nodemcu_emu::net::TcpSessionRelay> session = std::make_shared<nodemcu_emu::net::TcpSessionRelay>(
      loop, trace, nodemcu_emu::core::ObjectName{"tcp", 2}, TcpSession::Config{});

  Outgoing() {
    session->attach(events);
    session->start_connecting();
    boost::system::error_code ec;
    session->open_bound(tcp::endpoint(asio::ip::address_v4::loopback(), 0), ec);
  }
  void run_for(Micros d) { loop.run(loop.now() + d); }
};
}  // namespace

TEST_CASE("sends made while connecting leave once connected, each reported sent", "[tcp_session]") {
  Outgoing t;
  CHECK(t.session->state() == TcpSession::State::connecting);
  CHECK(t.session->can_send());
  t.session->send("early,", 6);
  t.session->send("bird", 4);
  t.session->connect(t.acceptor.local_endpoint());
  t.run_for(1s);
  CHECK(t.session->state() == TcpSession::State::connected);
  CHECK(t.events->connected == 1);
  CHECK(t.events->sent == 2);
  CHECK(t.events->slots == 1);
  tcp::socket peer(t.loop.io());
  t.acceptor.accept(peer);
  std::string got(10, '\0');
  asio::read(peer, asio::buffer(got));
  CHECK(got == "early,bird");
}

TEST_CASE("a refused connect is a disconnection with ERR_RST and takes no slot", "[tcp_session]") {
  Outgoing t;
  auto target = t.acceptor.local_endpoint();
  t.acceptor.close();  // nothing listens there any more
  t.session->connect(target);
  t.run_for(1s);
  REQUIRE(t.events->disconnected.has_value());
  CHECK(*t.events->disconnected == nodemcu_emu::net::k_err_rst);
  CHECK(t.events->connected == 0);
  CHECK(t.events->slots == 0);
  CHECK(t.session->state() == TcpSession::State::idle);
}

TEST_CASE("a connect nothing answers fails with ERR_ABRT when the SYN retries give up",
          "[tcp_session]") {
  Outgoing t;
  t.session->give_up_after(21s);
  t.run_for(100s);
  REQUIRE(t.events->disconnected.has_value());
  CHECK(*t.events->disconnected == nodemcu_emu::net::k_err_abrt);
  CHECK(t.events->disconnected_at == Micros(21s));
}

TEST_CASE("a close while connecting cancels the connect: no event follows", "[tcp_session]") {
  Outgoing t;
  t.session->connect(t.acceptor.local_endpoint());
  t.session->close(false);
  t.run_for(1s);
  CHECK(t.events->connected == 0);
  CHECK_FALSE(t.events->disconnected.has_value());
  CHECK(t.session->state() == TcpSession::State::idle);
}

// The session's connection is part of it and serves each connection it makes: a closed one that
// still drains has handed its socket over (TcpCloser) and does not hold the next one up.
TEST_CASE("a session connects again while its closed connection still drains: both go on",
          "[tcp_session][edge]") {
  Outgoing t;
  t.session->connect(t.acceptor.local_endpoint());
  t.run_for(1s);
  REQUIRE(t.events->connected == 1);
  tcp::socket first(t.loop.io());
  t.acceptor.accept(first);
  asio::write(first, asio::buffer("unread", 6));
  t.session->close(false);  // the data waits unread in the host: the old socket drains
  t.session->start_connecting();
  boost::system::error_code ec;
  t.session->open_bound(tcp::endpoint(asio::ip::address_v4::loopback(), 0), ec);
  t.session->connect(t.acceptor.local_endpoint());
  t.run_for(1s);
  CHECK(t.events->connected == 2);
  CHECK(t.events->slots == 1);
  tcp::socket second(t.loop.io());
  t.acceptor.accept(second);
  t.session->send("two", 3);
  t.run_for(1s);
  std::string got(3, '\0');
  asio::read(second, asio::buffer(got));
  CHECK(got == "two");
  asio::write(first, asio::buffer("late", 4));  // still drained by the old socket's closer
  first.shutdown(tcp::socket::shutdown_send);
  t.run_for(1s);
  char b;
  first.read_some(asio::buffer(&b, 1), ec);
  CHECK(ec == asio::error::eof);  // FIN, not RST
  CHECK(t.events->received.empty());
}
