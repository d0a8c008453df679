// The host side of one TCP connection: the Asio socket, its read buffer and write queue.
// A TcpSession (the core of a net.tcpsocket) owns one while connected; on close() it lets go and
// the connection finishes on its own: flushes what was queued, sends FIN, drains, closes.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/event_loop.hpp"
#include "core/sweep.hpp"

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::tcp;

class TcpConnection : public core::Sweep::Member,
                      public std::enable_shared_from_this<TcpConnection> {
 public:
  // A write buffer keeps its capacity up to the device's send buffer (2 * TCP_MSS).
  static constexpr std::size_t k_kept_capacity = 2920;

  // What the owning socket hears about; none is called once the owner has let go.
  struct Owner {
    virtual ~Owner() = default;
    virtual void on_read(const boost::system::error_code& ec, const char* data, std::size_t n) = 0;
    // `sends` whole send() calls (`bytes` in all) have left the buffer, taken by the host kernel.
    virtual void on_written(const boost::system::error_code& ec, std::size_t sends,
                            std::size_t bytes) = 0;
  };

  // One buffer serves every connection of a device: a read is handed to Lua before the next.
  using ReadBuffer = std::shared_ptr<std::vector<char>>;

  TcpConnection(core::EventLoop& loop, tcp::socket socket, ReadBuffer buffer);
  // Non-blocking and TCP_NODELAY, once the socket is open (a client's opens at connect).
  void configure_socket();

  tcp::socket& socket() { return socket_; }
  // A client socket, bound before it connects: a connection of this process that reaches the
  // address is in-process (core/peer_watch.hpp).
  void own_local_endpoint();
  // The other end is `peer`: when it is outside this process, this connection's traffic keeps
  // virtual time from jumping past a real peer (core/peer_watch.hpp).
  void watch_peer(const tcp::endpoint& peer);
  void attach(std::weak_ptr<Owner> owner) { owner_ = std::move(owner); }

  // `data_may_wait`: data may have arrived while nobody was reading (after hold()).
  void start_read(bool data_may_wait = false);
  bool reading() const { return reading_; }
  // While nothing reads (the owner holds the connection), still hear of a reset: lwIP reports a
  // peer's RST at once whatever the receive window. It arrives as a read error.
  void watch_errors();
  // Queues one send(); writing starts at flush(). The bytes join one buffer (no allocation per
  // send once its capacity is there).
  void queue(const char* data, std::size_t n) {
    queued_.append(data, n);
    ++queued_sends_;
  }
  void flush();

  // The owner lets go. Graceful: queued data goes out, then FIN; the connection drains the
  // peer's data until its FIN (bounded) so the host kernel does not answer with a RST.
  void close_gracefully();
  // RST now, queued data dropped (tcp_abort, or lwIP's tcp_close with unread data).
  void abort();

 private:
  void wait_readable();
  void read_now();
  void read_done(const boost::system::error_code& ec, std::size_t n);
  void write_batch();
  std::size_t write_some_now(int flags, boost::system::error_code& ec);
  // Lets the host send what MSG_MORE let it hold (setting TCP_NODELAY pushes pending frames).
  void push();
  void write_async(std::size_t offset, std::size_t sends, std::size_t bytes);
  void writing_done();
  void finish_close();
  void drain();
  // The drain's time limit (on the loop's Sweep).
  core::Micros deadline() const override { return drain_deadline_; }
  void on_deadline(core::Micros now) override;

  core::EventLoop& loop_;
  tcp::socket socket_;
  std::weak_ptr<Owner> owner_;
  ReadBuffer rx_;
  // The bytes of the queued and of the in-flight send() calls, and how many calls each holds.
  std::string queued_;
  std::string writing_;
  std::size_t queued_sends_ = 0;
  bool reading_ = false;
  bool watching_ = false;
  bool write_in_flight_ = false;
  bool detached_ = false;
  bool draining_ = false;
  bool configured_ = false;
  bool flushing_ = false;
  bool maybe_more_ = true;  // the last read filled the buffer (or none happened yet)
  core::EventLoop::KeepAlive linger_;  // keeps the loop running while a let-go connection finishes
  core::Micros drain_deadline_{0};
  core::PeerWatch::Own own_;
  core::PeerWatch::Hold peer_hold_;  // empty for an in-process peer
};

}  // namespace nodemcu_emu::net
