// net.tcpserver (spec net.md 3): listens, accepts, hands each connection to the listen callback.
// The binding; the host acceptor and its accept loop are a TcpListener.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "core/device.hpp"
#include "modules/net/net_object.hpp"
#include "modules/net/tcp_listener.hpp"

namespace nodemcu_emu::net {

class TcpServer : public TcpListener::Events, public std::enable_shared_from_this<TcpServer> {
 public:
  TcpServer(core::Device& d, int timeout_s);
  ~TcpServer() override;

  int listen(lua_State* L);
  int close(lua_State* L);
  int getaddr(lua_State* L);
  void collected();
  // A connection slot freed up (the established limit): hand over what waits, accept again.
  void resume_accepting();
  // 1.5.4.1's listening pcbs (net_v1): they outlive srv:close(), which only drops the one
  // connection callback. `callback_set`: whether a connection can reach the script, so whether
  // the listener keeps the loop alive; `timeout_s`: the inactivity timeout of connections
  // accepted from now on.
  void set_v1_state(bool callback_set, int timeout_s);
  const std::string& name() const { return name_; }

 private:
  int open_acceptor(std::uint16_t port, const char* ip);  // an err_t
  // TcpListener::Events
  bool may_accept() override;
  void on_accepted(int fd, const boost::asio::ip::tcp::endpoint& peer) override;
  // The listen callback with a new net.tcpsocket for the connection (which takes fd).
  void deliver(int fd, const boost::asio::ip::tcp::endpoint& peer);
  // resume_accepting() once a connection slot frees (one request at a time).
  void wait_for_slot();
  void stop_listening();

  // A connection the host accepted after the limit was reached: held, unread, until a slot frees.
  // Owns the descriptor until it is delivered (closed if the server closes first).
  struct Parked {
    Parked(int descriptor, const boost::asio::ip::tcp::endpoint& from) : fd(descriptor), peer(from) {}
    Parked(Parked&& other) noexcept : fd(std::exchange(other.fd, -1)), peer(other.peer) {}
    Parked& operator=(Parked&&) = delete;
    ~Parked();
    int fd;
    boost::asio::ip::tcp::endpoint peer;
  };

  core::Device& device_;
  std::string name_;
  int timeout_s_;
  std::shared_ptr<TcpListener> listener_;
  lua::Ref listen_cb_;
  lua::Ref anchor_;
  // The listening address is this process's (a connection from here to it is in-process), and
  // under virtual time the clock waits for the first client for a while (core/peer_watch.hpp).
  core::PeerWatch::Own own_;
  core::PeerWatch::Hold first_client_;
  core::EventLoop::KeepAlive keep_;
  std::deque<Parked> parked_;
  bool waiting_ = false;         // a slot waiter is registered
  std::uint16_t port_ = 0;       // as the device sees it
  std::string ip_;               // as the script gave it
};

void register_tcp_server_class(lua_State* L);
// net.createServer's object, with its inactivity timeout.
TcpServer& push_new_tcp_server(lua_State* L, int timeout_s);

}  // namespace nodemcu_emu::net
