// The host sockets standing in for one lwIP udp pcb: the pcb's own socket (exclusive, bound to
// the device's address), which also sends; and, because lwIP hands every pcb on a port the
// broadcasts and the datagrams of joined groups, extra sockets bound to the broadcast/group
// address (shared, they never take anyone's unicast traffic). Lua-free; datagrams go to a
// Listener, one virtual call per datagram.
#pragma once

#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string_view>

namespace nodemcu_emu::net {

class UdpHost {
 public:
  struct Listener {
    virtual ~Listener() = default;
    // One datagram, whatever its size (the listener drops what the device could not take).
    virtual void on_datagram(const char* data, std::size_t n,
                             const boost::asio::ip::udp::endpoint& from) = 0;
  };
  // Pending receives hold their listener: it lives while the sockets are open.
  using ListenerPtr = std::shared_ptr<Listener>;

  UdpHost(boost::asio::io_context& io, boost::asio::ip::address own)
      : io_(io), own_(std::move(own)) {}
  UdpHost(const UdpHost&) = delete;
  UdpHost& operator=(const UdpHost&) = delete;
  ~UdpHost() { close(); }

  const boost::asio::ip::address& own() const { return own_; }

  // The pcb's own socket on `host_port`, set up to send (broadcast allowed, multicast out of
  // the device's address and looped back, `ttl`). False, with the host's reason, if refused.
  bool open(std::uint16_t host_port, int ttl, boost::system::error_code& ec);
  bool is_open() const { return main_ != nullptr; }
  // Starts receiving on the pcb's own socket.
  void receive(const ListenerPtr& listener);
  // Broadcasts to `host_port` arrive too (best effort: a port the host refuses hears none).
  void listen_broadcast(const boost::asio::ip::address_v4& broadcast, std::uint16_t host_port,
                        const ListenerPtr& listener);
  // Datagrams to `group` on `host_port` arrive too; false, with the host's reason, if refused.
  bool join(std::uint32_t group, std::uint16_t host_port, const ListenerPtr& listener,
            boost::system::error_code& ec);
  bool joined(std::uint32_t group) const { return groups_.count(group) != 0; }
  void leave(std::uint32_t group);

  // The host refuses TTL 0; on a one-machine "network" the datagram arrives either way.
  void set_ttl(int ttl);
  std::size_t send_to(std::string_view data, const boost::asio::ip::udp::endpoint& to,
                      boost::system::error_code& ec);
  // Every socket closed: nothing arrives afterwards.
  void close();

 private:
  struct Receiver;
  std::shared_ptr<Receiver> open_receiver(const boost::asio::ip::address& address,
                                          std::uint16_t host_port, bool shared,
                                          boost::system::error_code& ec);
  // Not members: a pending receive holds its receiver and listener, never this object.
  static void start_receive(const std::shared_ptr<Receiver>& r, const ListenerPtr& listener);

  boost::asio::io_context& io_;
  boost::asio::ip::address own_;  // the device's address on the host (--bind)
  std::shared_ptr<Receiver> main_;
  std::shared_ptr<Receiver> broadcast_;
  std::map<std::uint32_t, std::shared_ptr<Receiver>> groups_;
};

}  // namespace nodemcu_emu::net
