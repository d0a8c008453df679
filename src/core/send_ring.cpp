#include "core/send_ring.hpp"

#include <liburing.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nodemcu_emu::core {

namespace {
// Sends prepared per wake-up before the ring is full (then connections send themselves).
constexpr unsigned k_entries = 256;
}  // namespace

SendRing::SendRing() : ring_(std::make_unique<io_uring>()) {}

SendRing::~SendRing() {
  // The targets go first, while the ring is whole: a connection that goes cancels its send.
  std::vector<Entry> prepared = std::move(prepared_);
  prepared_.clear();
  prepared.clear();
  if (capacity_ != 0) io_uring_queue_exit(ring_.get());
}

std::unique_ptr<SendRing> SendRing::open() {
  std::unique_ptr<SendRing> ring(new SendRing());
  if (!ring->setup() || !ring->works()) return nullptr;
  return ring;
}

bool SendRing::setup() {
  // SUBMIT_ALL: a send that fails does not stop the ones after it (every prepared send then
  // has a result after the submit; kernels without it (before 5.18) get no ring). One thread
  // submits and nothing completes on another: the cheapest setup for that.
  unsigned flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_COOP_TASKRUN;
  if (io_uring_queue_init(k_entries, ring_.get(), flags) != 0) return false;
  capacity_ = k_entries;
  prepared_.reserve(k_entries);
  return true;
}

// The contract connections rely on: a non-blocking send the host cannot take at once reports
// EAGAIN during the submit (the kernel does not keep it to retry later), and one it can take is
// done during the submit. Checked on a socket pair whose buffer is full.
bool SendRing::works() {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0) return false;
  char block[4096];
  std::memset(block, 0, sizeof block);
  int small = 1;  // the smallest buffer the host allows: a few sends fill it
  ::setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  while (::send(pair[0], block, sizeof block, MSG_DONTWAIT) > 0) {
  }
  auto ignore = [](void*, int) {};
  prepare(pair[0], block, 1, 0, nullptr, ignore);
  prepare(pair[1], block, 1, 0, nullptr, ignore);
  std::vector<Entry> batch;
  batch.swap(prepared_);
  bool ok = io_uring_submit(ring_.get()) == 2;
  if (ok) collect(batch, false);
  ::close(pair[0]);
  ::close(pair[1]);
  return ok && batch[0].done && batch[0].result == -EAGAIN && batch[1].done && batch[1].result == 1;
}

std::uint32_t SendRing::prepare(int fd, const void* data, std::size_t n, int flags,
                                std::shared_ptr<void> target, Report report) {
  io_uring_sqe* sqe = io_uring_get_sqe(ring_.get());
  if (sqe == nullptr) return 0;
  io_uring_prep_send(sqe, fd, data, n, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
  return add(sqe, std::move(target), report);
}

std::uint32_t SendRing::add(io_uring_sqe* sqe, std::shared_ptr<void> target, Report report) {
  std::size_t index = prepared_.size();
  io_uring_sqe_set_data64(sqe, index + 1);
  prepared_.push_back(Entry{report, sqe, std::move(target), 0, false});
  return ticket(batch_, index);
}

void SendRing::cancel(std::uint32_t t) {
  std::uint32_t batch = t >> 16;
  std::size_t index = (t & 0xFFFFu) - 1;
  if (batch == (batch_ & 0xFFFFu)) {
    if (index >= prepared_.size()) return;
    Entry& e = prepared_[index];
    io_uring_prep_nop(e.sqe);
    io_uring_sqe_set_data64(e.sqe, 0);
    e.report = nullptr;
    return;
  }
  for (auto& r : reporting_)
    if ((r.batch & 0xFFFFu) == batch && index < r.entries->size()) (*r.entries)[index].report = nullptr;
}

std::optional<int> SendRing::withdraw(std::uint32_t t) {
  std::uint32_t batch = t >> 16;
  std::size_t index = (t & 0xFFFFu) - 1;
  if (batch == (batch_ & 0xFFFFu)) {
    cancel(t);
    return std::nullopt;
  }
  for (auto& r : reporting_) {
    if ((r.batch & 0xFFFFu) != batch || index >= r.entries->size()) continue;
    Entry& e = (*r.entries)[index];
    if (e.report == nullptr) return std::nullopt;
    e.report = nullptr;
    return e.result;
  }
  return std::nullopt;
}

void SendRing::collect(std::vector<Entry>& entries, bool wait) {
  std::size_t missing = std::count_if(entries.begin(), entries.end(), [](const Entry& e) { return !e.done; });
  while (missing > 0) {
    io_uring_cqe* cqe = nullptr;
    int rc = wait ? io_uring_wait_cqe(ring_.get(), &cqe) : io_uring_peek_cqe(ring_.get(), &cqe);
    if (rc != 0 || cqe == nullptr) return;
    std::uint64_t id = io_uring_cqe_get_data64(cqe);
    if (id != 0 && id <= entries.size() && !entries[id - 1].done) {
      entries[id - 1].result = cqe->res;
      entries[id - 1].done = true;
      --missing;
    }
    io_uring_cqe_seen(ring_.get(), cqe);
  }
}

void SendRing::submit() {
  if (prepared_.empty()) return;
  std::vector<Entry> batch;
  if (!spares_.empty()) {
    batch = std::move(spares_.back());
    spares_.pop_back();
  }
  batch.swap(prepared_);  // prepared_ starts empty, with the spare's capacity
  std::uint32_t number = batch_++;
  int submitted;
  do {
    submitted = io_uring_submit(ring_.get());
  } while (submitted == -EINTR);
  // A cancelled send is a no-op whose completion carries no entry: every send's result is
  // there when the submit returns (works() checked it); a submit refused as a whole reports
  // its error to every send.
  if (submitted < 0) {
    for (auto& e : batch) e.result = submitted;
  } else {
    std::size_t nops = std::count_if(batch.begin(), batch.end(), [](const Entry& e) { return e.report == nullptr; });
    for (auto& e : batch)
      if (e.report == nullptr) e.done = true;
    collect(batch, true);
    // The no-ops' completions, left behind by collect(): consumed so the queue stays empty.
    for (std::size_t i = 0; i < nops; ++i) {
      io_uring_cqe* cqe = nullptr;
      if (io_uring_peek_cqe(ring_.get(), &cqe) != 0 || cqe == nullptr) break;
      io_uring_cqe_seen(ring_.get(), cqe);
    }
  }
  reporting_.push_back(Reporting{number, &batch});
  for (auto& e : batch) {
    if (e.report == nullptr) continue;
    std::exchange(e.report, nullptr)(e.target.get(), e.result);
  }
  reporting_.erase(std::find_if(reporting_.begin(), reporting_.end(),
                                [&](const Reporting& r) { return r.entries == &batch; }));
  // The targets go last: a report may have been the last thing one waited for.
  batch.clear();
  spares_.push_back(std::move(batch));
}

}  // namespace nodemcu_emu::core
