// The Lua-free core of a listening server (spec net.md 3): the host acceptor and its accept
// loop. Whether a connection may be taken now (the device's established-connection limit) and
// what becomes of it are the owner's (TcpServer, the binding of net.tcpserver).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <optional>

namespace nodemcu_emu::net {

class TcpListener : public std::enable_shared_from_this<TcpListener> {
 public:
  struct Events {
    virtual ~Events() = default;
    // False while no connection may be accepted: the listener waits (the peer stays in the
    // host's backlog) until resume().
    virtual bool may_accept() = 0;
    // One accepted connection; `peer` as accept(2) filled it in.
    virtual void on_accepted(boost::asio::ip::tcp::socket socket,
                             const boost::asio::ip::tcp::endpoint& peer) = 0;
  };

  explicit TcpListener(boost::asio::io_context& io) : io_(io) {}
  void attach(std::weak_ptr<Events> events) { events_ = std::move(events); }

  // Opens, binds (SO_REUSEADDR and SO_REUSEPORT, as every lwIP server pcb has SOF_REUSEADDR)
  // and listens on `endpoint`. On failure `ec` says why and `listen_failed` whether it was
  // listen(2) rather than the bind.
  bool open(const boost::asio::ip::tcp::endpoint& endpoint, boost::system::error_code& ec,
            bool& listen_failed);
  bool listening() const { return acceptor_.has_value(); }
  // The host port listened on.
  std::uint16_t port() const;
  // Accepts connections, one at a time, while may_accept() says so.
  void resume();
  // Stops listening; connections already accepted are not affected.
  void close();

 private:
  boost::asio::io_context& io_;
  std::weak_ptr<Events> events_;
  std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
  boost::asio::ip::tcp::endpoint peer_;  // filled by accept(2): no getpeername per connection
  bool accepting_ = false;
  std::uint64_t generation_ = 0;  // bumped per open/close: a stale accept does nothing
};

}  // namespace nodemcu_emu::net
