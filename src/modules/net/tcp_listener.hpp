// The Lua-free core of a listening server (spec net.md 3): the host listening socket and its
// accepts. Whether a connection may be taken now (the device's established-connection limit)
// and what becomes of it are the owner's (TcpServer, the binding of net.tcpserver).
//
// The socket is in the loop's level-triggered Poller (core/poller.hpp), and connections are
// taken with accept4: non-blocking and close-on-exec from the start (no ioctl, no fcntl per
// connection), and never registered with Asio.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>

#include "core/event_loop.hpp"
#include "core/poller.hpp"

namespace nodemcu_emu::net {

class TcpListener : public core::Poller::Client, public std::enable_shared_from_this<TcpListener> {
 public:
  struct Events {
    virtual ~Events() = default;
    // False while no connection may be accepted: the listener waits (the peer stays in the
    // host's backlog) until resume().
    virtual bool may_accept() = 0;
    // One accepted connection (`fd`, non-blocking, now the owner's); `peer` as accept(2)
    // filled it in.
    virtual void on_accepted(int fd, const boost::asio::ip::tcp::endpoint& peer) = 0;
  };

  // Connections a readiness may take at most (libuv's and the C servers' loop until EAGAIN,
  // bounded so that due timers do not wait behind a flood of connects).
  static constexpr int k_accept_batch = 16;

  explicit TcpListener(core::EventLoop& loop) : loop_(loop) {}
  // How many connections one readiness takes (1 until set; at most k_accept_batch).
  void accept_up_to(int n) { accept_batch_ = n < 1 ? 1 : (n > k_accept_batch ? k_accept_batch : n); }
  ~TcpListener() override { close(); }
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;
  void attach(std::weak_ptr<Events> events) { events_ = std::move(events); }

  // Opens, binds (SO_REUSEADDR and SO_REUSEPORT, as every lwIP server pcb has SOF_REUSEADDR)
  // and listens on `endpoint`. On failure `ec` says why and `listen_failed` whether it was
  // listen(2) rather than the bind.
  bool open(const boost::asio::ip::tcp::endpoint& endpoint, boost::system::error_code& ec,
            bool& listen_failed);
  bool listening() const { return fd_ >= 0; }
  // The host port listened on.
  std::uint16_t port() const;
  // Accepts connections, one per loop turn, while may_accept() says so.
  void resume();
  // Stops listening; connections already accepted are not affected.
  void close();

 private:
  void on_ready(std::uint32_t events) override;

  core::EventLoop& loop_;
  std::weak_ptr<Events> events_;
  int fd_ = -1;
  int accept_batch_ = 1;
  core::Poller::Watch watch_;
};

}  // namespace nodemcu_emu::net
