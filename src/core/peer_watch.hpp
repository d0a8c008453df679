// Virtual time and outside peers. A program on the other end of a real socket (curl, a python
// client, another emulator) lives in real time: a few milliseconds late, and a virtual clock
// that jumps whenever the loop is idle has already run a 30 s timeout out from under it. The
// rule (docs/testing.md, "Virtual time with outside peers"): the clock does not jump while an
// outside peer may still be about to act — for `grace` real time after each accept, connect,
// read or write on a connection to a peer outside this process, and after a server starts
// listening until its first connection arrives. A silent peer then meets its timeout after
// `grace` of wall time; a peer in this process (a connection between two of its own sockets)
// holds nothing, so in-process tests keep jumping at once. Under real time nothing jumps: the
// loop makes the watch with grace 0, and then it costs a connection nothing (no hold, no
// endpoint kept, no lookup).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <vector>

namespace nodemcu_emu::core {

class PeerWatch {
 public:
  using RealTime = std::chrono::steady_clock::time_point;
  using Endpoint = boost::asio::ip::tcp::endpoint;

  explicit PeerWatch(std::chrono::microseconds grace) : grace_(grace) {}
  PeerWatch(const PeerWatch&) = delete;
  PeerWatch& operator=(const PeerWatch&) = delete;

  // One reason to keep the clock still: `touch()` renews it for `grace` of real time, and it
  // ends when the Hold is reset or destroyed (the connection closed, the first client came).
  class Hold {
   public:
    Hold() = default;
    void touch();
    void reset() { entry_.reset(); }
    explicit operator bool() const { return entry_ != nullptr; }

   private:
    friend class PeerWatch;
    struct Entry {
      std::chrono::microseconds grace;
      RealTime until;
    };
    std::shared_ptr<Entry> entry_;
  };

  // A socket of this process is at `endpoint` (a client's local address, a listener's) while
  // the Own lives: a connection whose other end is there is in-process and holds nothing.
  class Own {
   public:
    Own() = default;
    Own(Own&& o) noexcept : watch_(std::exchange(o.watch_, nullptr)), endpoint_(o.endpoint_) {}
    Own& operator=(Own&& o) noexcept;
    Own(const Own&) = delete;
    Own& operator=(const Own&) = delete;
    ~Own() { reset(); }
    void reset();

   private:
    friend class PeerWatch;
    Own(PeerWatch* watch, const Endpoint& endpoint) : watch_(watch), endpoint_(endpoint) {}
    PeerWatch* watch_ = nullptr;
    Endpoint endpoint_;
  };

  // Whether the rule is on (grace > 0: virtual time with --peer-grace).
  bool active() const { return grace_.count() > 0; }
  // A new hold, already touched; an empty one when the rule is off.
  Hold hold();
  // Keeps `endpoint` as the process's; an empty Own when the rule is off.
  Own own(const Endpoint& endpoint);
  // Whether `peer` is a socket of this process (a listener on the any-address counts for
  // every address on its port).
  bool is_own(const Endpoint& peer) const;

  // The real time until which the clock must not jump, if that is still ahead of `now`.
  std::optional<RealTime> held_until(RealTime now);
  std::chrono::microseconds grace() const { return grace_; }

 private:
  std::chrono::microseconds grace_;
  std::vector<std::weak_ptr<Hold::Entry>> holds_;
  std::map<Endpoint, int> own_;  // counted: SO_REUSEPORT lets two listeners share an endpoint
};

}  // namespace nodemcu_emu::core
