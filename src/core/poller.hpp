// The loop's level-triggered epoll set for TCP sockets (connections, listeners), watched through
// one descriptor in Asio's reactor.
//
// Why not Asio's own socket operations: its reactor is edge-triggered and re-arms a descriptor
// for every wait (an epoll_ctl per received message), and keeps per-socket state and a pending
// operation object for every idle connection. Here a socket's interest is set once and changes
// only when its connection stops reading or has a write pending; one wake-up of the loop
// serves every socket that is ready; an idle connection costs a slot of 16 bytes.
// Level-triggered is also what makes a stop-and-go reader safe: data and the peer's FIN that
// arrive together stay reported until they are read (an edge would come only once).
//
// Ready sockets are served one per loop turn, as Asio's completions are, so that timers still
// run between them: the first from the wake-up's handler, the others by EventLoop::turn
// (serve_one) before it asks Asio for more — which would poll Asio's epoll set between every two
// of them, a system call per event.
#pragma once

#include <sys/epoll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <utility>
#include <vector>

namespace nodemcu_emu::core {

class Poller {
 public:
  // What a watched descriptor reports to.
  struct Client {
    virtual ~Client() = default;
    // `events`: what epoll reported (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP). May drop the
    // Client's Watch (and the Client itself, when the caller keeps it alive meanwhile).
    virtual void on_ready(std::uint32_t events) = 0;
  };

  // One watched descriptor. Its registration ends with the Watch; closing the descriptor is its
  // owner's (a closed descriptor leaves the epoll set by itself: no system call here).
  class Watch {
   public:
    Watch() = default;
    Watch(Watch&& o) noexcept
        : poller_(std::exchange(o.poller_, nullptr)), slot_(o.slot_), events_(o.events_) {}
    Watch& operator=(Watch&& o) noexcept {
      if (this != &o) {
        forget();
        poller_ = std::exchange(o.poller_, nullptr);
        slot_ = o.slot_;
        events_ = o.events_;
      }
      return *this;
    }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    ~Watch() { forget(); }

    explicit operator bool() const { return poller_ != nullptr; }
    std::uint32_t events() const { return events_; }
    // Changes the interest (EPOLLIN, EPOLLOUT or none: errors and hang-ups are always
    // reported); a system call only when it differs.
    void set(std::uint32_t events);
    // The registration goes on for `client` (the descriptor changed hands: a closing
    // connection's socket to its TcpCloser). Events already fetched go there too.
    void hand_over(Client& client);
    // Ends the registration of a descriptor that is about to be closed: no system call.
    void forget();
    // Ends it for a descriptor that stays open (EPOLL_CTL_DEL).
    void remove();

   private:
    friend class Poller;
    Watch(Poller* p, std::uint32_t slot, std::uint32_t events)
        : poller_(p), slot_(slot), events_(events) {}
    // 16 bytes (the descriptor is in the Poller's slot): one in every idle connection.
    Poller* poller_ = nullptr;
    std::uint32_t slot_ = 0;
    std::uint32_t events_ = 0;
  };

  explicit Poller(boost::asio::io_context& io);
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;
  ~Poller();

  // Watches `fd` (level-triggered) for `events`; `client` hears from a later turn of the loop
  // on. An empty Watch and `ec` when epoll refuses it.
  Watch watch(int fd, std::uint32_t events, Client& client, boost::system::error_code& ec);

  // Serves the next socket of the current wake-up; false when none is left (then the set is
  // watched again).
  bool serve_one();
  // Sockets of the current wake-up are still to be served.
  bool mid_batch() const { return next_ < ready_count_; }

 private:
  struct Slot {
    Client* client = nullptr;
    int fd = -1;  // the watched descriptor (here, where the padding had room: not in the Watch)
    std::uint32_t generation = 0;  // bumped when the slot is freed: stale events are dropped
  };
  static constexpr int k_batch = 64;

  void release(std::uint32_t slot);
  void arm();
  void fetch();

  boost::asio::posix::stream_descriptor set_;  // the epoll descriptor, in Asio's reactor
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  epoll_event ready_[k_batch];
  int ready_count_ = 0;
  int next_ = 0;
  bool armed_ = false;
};

}  // namespace nodemcu_emu::core
