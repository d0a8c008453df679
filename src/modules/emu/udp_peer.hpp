// A UDP socket a test plays the device's correspondent with (emu.peer.udp; docs/testing.md,
// "In-process peers"). Lua-free: a host socket on the device's loop that receives all the time
// into a queue the test takes datagrams from, and sends at once. UDP holds no virtual time
// either way (core/peer_watch.hpp), and the socket is none of the device's objects.
#pragma once

#include <array>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "modules/emu/tcp_peer.hpp"

namespace nodemcu_emu::peer {

using asio::ip::udp;

class UdpPeer : public std::enable_shared_from_this<UdpPeer> {
 public:
  struct Datagram {
    std::string data;
    udp::endpoint from;
  };

  UdpPeer(core::EventLoop& loop, PeerTrace trace);
  UdpPeer(const UdpPeer&) = delete;
  UdpPeer& operator=(const UdpPeer&) = delete;

  // Binds `endpoint` (port 0: the host chooses) and starts receiving; false with the reason.
  bool open(const udp::endpoint& endpoint, boost::system::error_code& ec);
  bool is_open() const { return socket_.is_open(); }
  std::uint16_t port() const;
  const std::string& name() const { return trace_.name; }

  // One datagram to `to`, now.
  void send_to(std::string_view data, const udp::endpoint& to, boost::system::error_code& ec);
  // Datagrams received and not yet taken, oldest first.
  bool has_datagram() const { return !received_.empty(); }
  const Datagram& front() const { return received_.front(); }
  void pop() { received_.pop_front(); }

  void close();

 private:
  void receive();

  core::EventLoop& loop_;
  PeerTrace trace_;
  udp::socket socket_;
  std::array<char, 65536> buffer_{};
  udp::endpoint from_;
  std::deque<Datagram> received_;
};

}  // namespace nodemcu_emu::peer
