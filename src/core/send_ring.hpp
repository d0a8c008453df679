// The loop's TCP sends of one wake-up, handed to the host in one system call (io_uring).
//
// Why: a server and its client on one CPU. Every send() to a sleeping client wakes it, and
// the return from that system call is where the scheduler switches to the client when the
// server has had more than its share of the CPU, which an emulator running Lua callbacks has.
// Then each echoed message costs two context switches. With the sends of every socket served
// in one wake-up submitted at once, the client is woken once per batch and finds all of them
// ready, as it does with a C server (docs/performance.md, issue 17 fourth pass). It also saves
// a system call per message.
//
// The sends are non-blocking (MSG_DONTWAIT): the host does each one during the submit or
// refuses it (EAGAIN) at once, never later, so every result is known when submit() returns
// and the connection goes on exactly as after a send(2) (partial or refused writes wait for
// EPOLLOUT in the Poller). open() checks that on the running kernel before the ring is used;
// where io_uring is missing, refused (seccomp, io_uring_disabled) or behaves otherwise, there
// is no ring and connections call send(2) themselves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

struct io_uring;
struct io_uring_sqe;

namespace nodemcu_emu::core {

class SendRing {
 public:
  // What hears a send's result: `target` (the object prepare() was given), `result` the bytes
  // the host took or -errno. It may prepare more sends (they go with the next submit) and may
  // drop every other reference to the target (the ring holds one meanwhile). A plain function
  // rather than an interface: an idle connection carries no extra vtable pointer for it.
  using Report = void (*)(void* target, int result);

  // A ring, or none where the host cannot give one that works as above.
  static std::unique_ptr<SendRing> open();
  ~SendRing();
  SendRing(const SendRing&) = delete;
  SendRing& operator=(const SendRing&) = delete;

  // Prepares a send of data[0, n) on `fd` (`flags`: MSG_MORE or 0) for the next submit, to be
  // reported to `report(target)`; the ring holds `target` (and so the data it owns) until then.
  // Returns a ticket for cancel(), good until the result is reported, or 0 when the ring is
  // full (then the caller sends now, itself).
  std::uint32_t prepare(int fd, const void* data, std::size_t n, int flags,
                        std::shared_ptr<void> target, Report report);
  // A prepared send that must not happen (its descriptor is about to be closed, its data
  // dropped): it becomes a no-op and reports nothing. Submitted already (its batch is being
  // reported): it only reports nothing.
  void cancel(std::uint32_t ticket);
  // cancel() for a caller that goes on with the bytes itself (a connection handing its socket
  // to a TcpCloser): nothing when the send was only prepared (it will not happen), its result
  // (bytes taken or -errno) when it was submitted already (it then reports nothing).
  std::optional<int> withdraw(std::uint32_t ticket);
  bool pending() const { return !prepared_.empty(); }
  // Submits what was prepared, then reports each result in the order the sends were prepared.
  // Sends prepared by those reports wait for the next submit.
  void submit();

 private:
  struct Entry {
    Report report = nullptr;  // null: cancelled
    io_uring_sqe* sqe = nullptr;
    std::shared_ptr<void> target;
    int result = 0;
    bool done = false;
  };
  // A submitted batch whose results are being reported (reports may submit again).
  struct Reporting {
    std::uint32_t batch;
    std::vector<Entry>* entries;
  };
  SendRing();
  // The entry of a prepared operation (0: the ring is full).
  std::uint32_t add(io_uring_sqe* sqe, std::shared_ptr<void> target, Report report);
  bool setup();
  bool works();
  // The results of `entries`; `wait`: for every one (else what is there now).
  void collect(std::vector<Entry>& entries, bool wait);
  // A ticket: the batch number (16 bits) and the index in it + 1.
  static std::uint32_t ticket(std::uint32_t batch, std::size_t index) {
    return (batch & 0xFFFFu) << 16 | static_cast<std::uint32_t>(index + 1);
  }

  std::unique_ptr<io_uring> ring_;
  std::vector<Entry> prepared_;
  std::uint32_t batch_ = 1;  // the number of prepared_'s batch
  std::vector<Reporting> reporting_;
  std::vector<std::vector<Entry>> spares_;  // emptied batches, kept for their capacity
  unsigned capacity_ = 0;
};

}  // namespace nodemcu_emu::core
