// The host side of one TCP connection: the socket, its reads into the loop's buffer and its
// write queue. It lives inside its TcpSession (the core of a net.tcpsocket), which reuses it
// for each connection it makes: an idle connection costs no allocation of its own
// (docs/performance.md, hold). On a graceful close a connection the host still has work for
// (bytes to write, unread data to drain) hands its socket to a TcpCloser and is idle again.
//
// The socket is a plain non-blocking descriptor in the loop's level-triggered Poller
// (core/poller.hpp), not an Asio socket: reading costs recv alone (no re-arm per message), and
// an idle connection holds no pending operation and no reactor state.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/ip/tcp_buffers.hpp"
#include "core/ip/tcp_closer.hpp"
#include "core/poller.hpp"
#include "core/send_ring.hpp"

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::tcp;

class TcpConnection final : public core::Poller::Client {
 public:
  // What the owning session hears about: only of the connection it has (a connection closed
  // and made again reports nothing of the old one).
  struct Owner {
    virtual ~Owner() = default;
    // A reference that keeps the owner, and so this connection inside it, alive across a
    // report that may drop every other one. The connection holds one (or the send ring's entry
    // does) while it calls any of the reports below: they need not take their own.
    virtual std::shared_ptr<void> keep_alive() = 0;
    // connect() finished: established (no error) or failed.
    virtual void on_connect(const boost::system::error_code& ec) = 0;
    virtual void on_read(const boost::system::error_code& ec, const char* data, std::size_t n) = 0;
    // `sends` whole send() calls (`bytes` in all) have left the buffer, taken by the host kernel.
    virtual void on_written(const boost::system::error_code& ec, std::size_t sends,
                            std::size_t bytes) = 0;
  };

  using Writes = TcpWrites;

  // Idle, reporting to `owner` (which contains it). Reads land in the loop's buffer
  // (core/ip/tcp_buffers.hpp).
  TcpConnection(core::EventLoop& loop, Owner& owner) : loop_(loop), owner_(owner) {}
  ~TcpConnection() override;
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // An accepted socket, owned from now on. Reads and writes pass MSG_DONTWAIT, so it need not
  // be non-blocking (accept4 makes it so anyway, and close-on-exec). It must come from a
  // listener with TCP_NODELAY set (accepted sockets inherit it).
  void adopt(int fd);

  core::EventLoop& loop() const { return loop_; }

  // --- an outgoing connection (an idle one becomes it) ---
  // Opens the socket and binds it to `local` (port 0: any). False with `ec` when that fails
  // (connect() then still tries, unbound, as Asio's connect opens a closed socket).
  bool open_bound(const tcp::endpoint& local, boost::system::error_code& ec);
  // Connects; Owner::on_connect follows on a later turn of the loop.
  void connect(const tcp::endpoint& target);
  // A client socket, bound before it connects: a connection of this process that reaches the
  // address is in-process (core/peer_watch.hpp).
  void own_local_endpoint();

  // --- what the device's socket asks of the host ---
  // The other end is `peer`: when it is outside this process, this connection's traffic keeps
  // virtual time from jumping past a real peer (core/peer_watch.hpp).
  void watch_peer(const tcp::endpoint& peer);
  // TCP_NODELAY (writes are batched per loop turn; Nagle would only add the peer's delayed-ACK
  // wait, 40 ms on Linux, to a send chained from "sent").
  void configure_socket();
  tcp::endpoint local_endpoint(boost::system::error_code& ec) const;
  // Bytes received and not read yet.
  std::size_t available() const;
  void set_ttl(int ttl);
  // The host's TCP keepalive: first probe after `idle_s` (0: the host's default), then
  // `count` probes `interval_s` apart.
  void set_keepalive(int idle_s, int interval_s, int count);

  // --- reading ---
  // Reads on every turn data is there, until the owner stops (the read's callback returns
  // without calling start_read again). Data that waited while nothing read needs no special
  // call: the watch is level-triggered and finds it by itself.
  void start_read();
  // While nothing reads (the owner holds the connection), still hear of a reset: lwIP reports a
  // peer's RST at once whatever the receive window. It arrives as a read error.
  void watch_errors();

  // --- writing ---
  // Queues one send(); writing starts at flush(). The bytes join one buffer (no allocation per
  // send once its capacity is there).
  void queue(const char* data, std::size_t n) {
    if (!w_) w_ = loop_.tcp_buffers().take();
    w_->queued.append(data, n);
    ++w_->queued_sends;
  }
  void flush();

  // --- the end (the connection is idle again, ready for another) ---
  // Graceful: queued data goes out, then FIN; the peer's data is drained until its FIN
  // (bounded) so the host kernel does not answer with a RST (by a TcpCloser when that takes
  // longer than this call).
  void close_gracefully();
  // RST now, queued data dropped (tcp_abort, or lwIP's tcp_close with unread data).
  void abort();

 private:
  // Poller::Client
  void on_ready(std::uint32_t events) override;
  // The interest the state asks for (EPOLLIN while reading, EPOLLOUT while a write or the
  // connect waits), set on the watch.
  void update_interest();
  void connect_done(const boost::system::error_code& ec);
  void read_now();
  void read_done(const boost::system::error_code& ec, std::size_t n);
  void errors_while_held(std::uint32_t events);
  // The write goes with the loop's send ring (false: no ring, or it is full).
  bool write_with_ring();
  // Writes at once, and what "sent" queues meanwhile, for a bounded number of rounds.
  void write_now();
  static void ring_report(void* self, int result);
  void cancel_ring_write();
  void ring_done(int result);
  // A write waits for EPOLLOUT (not for the send ring).
  bool awaiting_writable() const { return write_in_flight_ && ring_ticket() == 0; }
  std::uint32_t ring_ticket() const { return w_ ? w_->ring_ticket : 0; }
  // Sends are queued and nothing stops them from going now.
  bool ready_to_write() const {
    return !write_in_flight_ && !flushing_ && !connecting_ && fd_ >= 0 && queued_sends() != 0;
  }
  std::size_t write_some_now(const char* data, std::size_t n, int flags,
                             boost::system::error_code& ec);
  // Lets the host send what MSG_MORE let it hold (setting TCP_NODELAY pushes pending frames).
  void push();
  void write_async(std::size_t offset, std::size_t sends, std::size_t bytes);
  void write_more();
  void write_finished(const boost::system::error_code& ec);
  void writing_done();
  std::size_t queued_sends() const { return w_ ? w_->queued_sends : 0; }
  // What is still to be written, for a TcpCloser (null when nothing is): a write in the send
  // ring is withdrawn, and what the host took of it already counts as written.
  std::unique_ptr<Writes> take_unwritten();
  void close_socket();
  // Idle again: the next connection starts clean, and what was still on its way for this one
  // (a posted handler, a report in a callback that closed it) sees another epoch.
  void reset();
  // A reference that keeps this connection (its owner) alive, for handlers that outlive the
  // call or run callbacks that may drop the owner.
  std::shared_ptr<TcpConnection> keep() {
    return std::shared_ptr<TcpConnection>(owner_.keep_alive(), this);
  }

  core::EventLoop& loop_;
  Owner& owner_;
  core::Poller::Watch watch_;
  // Only while there is something to write: an idle connection holds 8 bytes here, not 96.
  std::unique_ptr<Writes> w_;
  int fd_ = -1;
  // Bits, beside fd_ (a thousand idle connections keep a thousand of these).
  bool connecting_ : 1 = false;
  bool reading_ : 1 = false;
  bool watching_ : 1 = false;
  bool write_in_flight_ : 1 = false;
  bool configured_ : 1 = false;
  bool flushing_ : 1 = false;
  // Which connection of this object's life (reset() counts them), for what may come late.
  std::uint16_t epoch_ = 0;
  // The real-peer watch, only under virtual time (core/peer_watch.hpp): a block made on first
  // use, so that an idle connection keeps a pointer, not 16 bytes (docs/performance.md, hold).
  struct PeerState {
    core::PeerWatch::Own own;
    core::PeerWatch::Hold hold;  // empty for an in-process peer
  };
  std::unique_ptr<PeerState> peer_;
  PeerState& peer();
  void touch_peer() {
    if (peer_) peer_->hold.touch();
  }
};

}  // namespace nodemcu_emu::net
