// The other end of a device's TCP connection, played by a test in the same process
// (emu.peer.tcp, emu.peer.listen; docs/testing.md, "In-process peers"). Lua-free: a plain host
// socket on the device's loop that reads all the time (what the device sends waits in
// received() until the test takes it) and writes what the test sends as the loop runs. The
// test's waits run the loop (emu_peer.cpp), so the peer is never late for the device and there
// is no real-time race to wait for: its address is registered as this process's own
// (core/peer_watch.hpp), so that virtual time does not wait for it either. It takes none of the
// device's connection slots and is none of its objects (emu.live_objects); its trace lines,
// when anything hears the trace, are named peer#N.
#pragma once

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "core/event_loop.hpp"
#include "core/trace.hpp"

namespace nodemcu_emu::peer {

namespace asio = boost::asio;
using asio::ip::tcp;

// Where a peer's trace lines go and what they are called.
struct PeerTrace {
  core::Trace& trace;
  std::string name;
  void emit(core::EventLoop& loop, std::string_view event,
            std::initializer_list<core::Trace::Field> fields = {}) const {
    if (trace.enabled()) trace.emit(loop.now(), name, event, fields);
  }
};

class TcpPeer : public std::enable_shared_from_this<TcpPeer> {
 public:
  // Why the connection is over, as far as the device's side goes.
  enum class End {
    none,    // still open (or connecting)
    eof,     // the device closed its side (FIN): what it sent before is all there is
    reset,   // the connection was reset (or a write failed)
    failed,  // connect() failed (refused, unreachable)
    closed,  // this peer closed it (close(), abort())
  };

  TcpPeer(core::EventLoop& loop, tcp::socket socket, PeerTrace trace);
  TcpPeer(const TcpPeer&) = delete;
  TcpPeer& operator=(const TcpPeer&) = delete;

  // Connects to `target` from a loopback address (any address for a target elsewhere); the
  // outcome comes as the loop runs (connecting() turns false). An error opening the socket
  // ends the peer at once (End::failed).
  static std::shared_ptr<TcpPeer> connect(core::EventLoop& loop, const tcp::endpoint& target,
                                          PeerTrace trace);
  // A connection a listener accepted: open, and reading.
  static std::shared_ptr<TcpPeer> accepted(core::EventLoop& loop, tcp::socket socket,
                                           PeerTrace trace);

  bool connecting() const { return connecting_; }
  End end() const { return end_; }
  // The host's reason for End::reset / End::failed.
  const boost::system::error_code& error() const { return error_; }
  // This end's address, as the device sees its peer (getpeer()).
  tcp::endpoint local_endpoint() const;
  const std::string& name() const { return trace_.name; }

  // --- receive ---
  // Everything received and not yet taken.
  const std::string& received() const { return received_; }
  void consume(std::size_t n) { received_.erase(0, n); }

  // --- send ---
  // Whether send() may be called: not after shutdown() or close(), nor once the connection is
  // reset; after the device's FIN the host socket still takes data (what the device does with
  // it is its side's business).
  bool can_send() const { return !shut_ && (end_ == End::none || end_ == End::eof); }
  // Queues the bytes; they are written at once where the host takes them, else as the loop
  // runs (after the connection is established, when still connecting).
  void send(std::string_view data);
  // Bytes queued and not yet taken by the host.
  std::size_t unsent() const { return outgoing_.size(); }
  // Half-close: FIN once what was sent is out; the device's data is still received.
  void shutdown();

  // --- the end ---
  // What was sent goes out first, then the socket closes (a FIN, or a RST when the device's
  // data arrives afterwards, as the host does).
  void close();
  // RST now; unsent data is dropped.
  void abort();

 private:
  void start_connect(const tcp::endpoint& target);
  void on_connected(const boost::system::error_code& ec);
  void start_read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void write_pending();
  void on_written(const boost::system::error_code& ec, std::size_t n);
  void after_writes();
  void fail(End end, const boost::system::error_code& ec);
  void close_socket();

  core::EventLoop& loop_;
  tcp::socket socket_;
  PeerTrace trace_;
  core::PeerWatch::Own own_;
  std::array<char, 16384> buffer_{};
  std::string received_;
  std::string outgoing_;
  boost::system::error_code error_;
  End end_ = End::none;
  bool connecting_ = false;
  bool writing_ = false;
  bool shut_ = false;            // shutdown() or close() asked: no more sends
  bool close_after_write_ = false;
  bool fin_sent_ = false;
};

// A server the device connects to (emu.peer.listen): a host acceptor that accepts every
// connection as a TcpPeer, in order, for the test to take with take(). Its address is this
// process's own, so a device connection to it holds no virtual time.
class TcpPeerListener : public std::enable_shared_from_this<TcpPeerListener> {
 public:
  TcpPeerListener(core::EventLoop& loop, PeerTrace trace);
  TcpPeerListener(const TcpPeerListener&) = delete;
  TcpPeerListener& operator=(const TcpPeerListener&) = delete;

  // Binds `endpoint` (port 0: the host chooses) and listens; false with the host's reason.
  bool open(const tcp::endpoint& endpoint, boost::system::error_code& ec);
  std::uint16_t port() const;
  const std::string& name() const { return trace_.name; }
  bool listening() const { return acceptor_.is_open(); }
  // Connections accepted and not yet taken, oldest first.
  bool has_connection() const { return !accepted_.empty(); }
  std::shared_ptr<TcpPeer> take();
  // Stops listening; connections accepted and not taken are closed.
  void close();

 private:
  void accept();

  core::EventLoop& loop_;
  PeerTrace trace_;
  tcp::acceptor acceptor_;
  core::PeerWatch::Own own_;
  std::deque<std::shared_ptr<TcpPeer>> accepted_;
  int next_connection_ = 1;
};

}  // namespace nodemcu_emu::peer
