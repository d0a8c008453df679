// The host sockets standing in for one lwIP udp pcb: the pcb's own socket (exclusive, bound to
// the device's address), which also sends; and, because lwIP hands every pcb on a port the
// broadcasts and the datagrams of joined groups, extra sockets bound to the broadcast/group
// address (shared, they never take anyone's unicast traffic). Lua-free; datagrams go to a
// Listener, one virtual call per datagram.
//
// The sockets are plain non-blocking descriptors in the loop's level-triggered Poller
// (core/poller.hpp): one readiness reads up to 32 datagrams with one recvmmsg. What the device
// sends waits in an outbox until the handler that sent it returns (EventLoop::Deferred), and
// leaves with one sendmmsg: a burst of echoes wakes its receiver once, not once per datagram.
#pragma once

#include <sys/socket.h>

#include <array>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.hpp"
#include "core/poller.hpp"

namespace nodemcu_emu::net {

class UdpHost : private core::EventLoop::Deferred {
 public:
  struct Listener {
    virtual ~Listener() = default;
    // One datagram of `n` bytes, whatever its size; `data` holds the first
    // min(n, k_captured) of them (the listener drops what the device could not take).
    virtual void on_datagram(const char* data, std::size_t n,
                             const boost::asio::ip::udp::endpoint& from) = 0;
    // A datagram send_to() took did not leave: the host refused it when the outbox was flushed
    // (no route from the device's address, no buffer). `tag` is send_to()'s.
    virtual void on_send_failed(std::uint32_t tag, const boost::asio::ip::udp::endpoint& to,
                                std::size_t n, const boost::system::error_code& ec) = 0;
  };
  // Receivers hold their listener weakly: it may go while its sockets are open.
  using ListenerPtr = std::shared_ptr<Listener>;

  // Bytes of a datagram kept for the listener: more than the device's 1472.
  static constexpr std::size_t k_captured = 2048;
  // Datagrams read per readiness, as libuv reads them (uv__udp_recvmsg: 32); the bound keeps
  // one busy socket from starving the others and the timers.
  static constexpr int k_read_batch = 32;
  // Datagrams the outbox holds; when full, send_to() flushes at once.
  static constexpr std::size_t k_outbox = 64;

  // Where recvmmsg reads: one per device, used by one readiness at a time (a nested one, from
  // a script that runs the loop inside its receive callback, reads into one of its own).
  struct ReadBuffers {
    ReadBuffers();  // points every message at its own buffer
    ReadBuffers(const ReadBuffers&) = delete;
    ReadBuffers& operator=(const ReadBuffers&) = delete;
    std::array<mmsghdr, k_read_batch> msgs{};
    std::array<iovec, k_read_batch> iov{};
    std::array<sockaddr_storage, k_read_batch> from{};
    std::vector<char> bytes = std::vector<char>(k_read_batch * k_captured);
    bool busy = false;
  };

  UdpHost(core::EventLoop& loop, boost::asio::ip::address own,
          std::shared_ptr<ReadBuffers> buffers = std::make_shared<ReadBuffers>());
  UdpHost(const UdpHost&) = delete;
  UdpHost& operator=(const UdpHost&) = delete;
  ~UdpHost() override { close(); }

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
  // Queues one datagram for `to`; it leaves when the current handler returns. `ec` is would_block only when the outbox is full
  // and the host takes nothing more now (the device's ERR_MEM); a datagram the host refuses
  // later is reported to the listener's on_send_failed with `tag`.
  void send_to(std::string_view data, const boost::asio::ip::udp::endpoint& to, std::uint32_t tag,
               boost::system::error_code& ec);
  // Sends what the outbox holds now.
  void flush();
  // Every socket closed (the outbox flushed first: what send_to took has left, as on the
  // device): nothing arrives afterwards.
  void close();

 private:
  struct Receiver;
  struct Queued {
    std::uint32_t offset;
    std::uint32_t size;
    std::uint32_t tag;
    boost::asio::ip::udp::endpoint to;
  };

  std::shared_ptr<Receiver> open_receiver(const boost::asio::ip::address& address,
                                          std::uint16_t host_port, bool shared,
                                          boost::system::error_code& ec);
  void on_turn_end() override { flush(); }
  std::size_t run_end(std::size_t first) const;
  // The host took the first `sent` datagrams of the outbox and no more for now: the rest
  // waits until the socket is writable.
  void block(std::size_t sent);
  void writable();

  core::EventLoop& loop_;
  boost::asio::ip::address own_;  // the device's address on the host (--bind)
  std::shared_ptr<ReadBuffers> buffers_;
  std::weak_ptr<Listener> listener_;  // hears of the outbox's failures
  std::shared_ptr<Receiver> main_;
  std::shared_ptr<Receiver> broadcast_;
  std::map<std::uint32_t, std::shared_ptr<Receiver>> groups_;
  // The outbox: the bytes of the queued datagrams, back to back, and where each one goes.
  std::string out_bytes_;
  std::vector<Queued> out_;
  bool blocked_ = false;  // the host said EAGAIN: the outbox waits for EPOLLOUT
};

}  // namespace nodemcu_emu::net
