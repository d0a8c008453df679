// What every TCP connection of a loop shares: one read buffer (a read is handed to Lua before
// the next is made) and the spare write buffers. A connection takes a spare when it queues data
// and gives it back once the host took the bytes, so an idle connection holds no write buffer
// while the steady echo still allocates nothing (docs/performance.md, hold). The loop owns them
// (EventLoop::tcp_buffers): a connection reaches them through the loop it already refers to,
// instead of keeping a shared_ptr of its own (16 bytes per connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nodemcu_emu::net {

// A connection's writes while it has any: the bytes of the queued and of the in-flight send()
// calls, and how many calls each holds (one buffer per direction, no allocation per send once
// its capacity is there).
struct TcpWrites {
  std::string queued;
  std::string writing;
  std::size_t queued_sends = 0;
  // An asynchronous write: from writing[write_offset] on; then `write_sends` calls of
  // `write_bytes` bytes are reported.
  std::size_t write_offset = 0;
  std::size_t write_sends = 0;
  std::size_t write_bytes = 0;
  // The write waiting in the loop's send ring (0: none). Here, not in the connection: a write
  // in the ring always has its Writes, and an idle connection keeps 8 bytes less.
  std::uint32_t ring_ticket = 0;
};

struct TcpBuffers {
  // A spare keeps its capacity up to the device's send buffer (2 * TCP_MSS) per direction.
  static constexpr std::size_t k_kept_capacity = 2920;
  // The spares are bounded by the bytes they keep, not by their number: every connection that
  // writes in one wake-up holds a Writes until its bytes leave, so a server echoing on 50
  // connections needs 50 of them. A count of 16 made the other 34 allocate a Writes and its
  // buffer per message (2 of the 64-byte echo's ~1.4 mallocs per message); 256 KiB keeps ~44
  // at full capacity, hundreds for small messages.
  static constexpr std::size_t k_max_spare_bytes = 256 * 1024;

  // A spare Writes, or a new one.
  std::unique_ptr<TcpWrites> take() {
    if (spare_writes.empty()) return std::make_unique<TcpWrites>();
    auto w = std::move(spare_writes.back());
    spare_writes.pop_back();
    spare_bytes -= kept_bytes(*w);
    return w;
  }
  // A Writes whose bytes are done with: kept as a spare (emptied; a buffer that grew beyond
  // k_kept_capacity is not kept) or freed when the spares already keep k_max_spare_bytes.
  void give_back(std::unique_ptr<TcpWrites> w) {
    w->queued.clear();
    w->writing.clear();
    if (w->writing.capacity() > k_kept_capacity) std::string().swap(w->writing);
    if (w->queued.capacity() > k_kept_capacity) std::string().swap(w->queued);
    std::size_t bytes = kept_bytes(*w);
    if (spare_bytes + bytes > k_max_spare_bytes) return;
    w->queued_sends = w->write_offset = w->write_sends = w->write_bytes = 0;
    w->ring_ticket = 0;
    spare_writes.push_back(std::move(w));
    spare_bytes += bytes;
  }

  std::vector<char> read = std::vector<char>(16384);
  std::vector<std::unique_ptr<TcpWrites>> spare_writes;
  std::size_t spare_bytes = 0;  // what the spares keep, their buffers included

 private:
  static std::size_t kept_bytes(const TcpWrites& w) {
    return sizeof(TcpWrites) + w.queued.capacity() + w.writing.capacity();
  }
};

}  // namespace nodemcu_emu::net
