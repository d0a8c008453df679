#include "core/poller.hpp"

#include <unistd.h>

#include <stdexcept>

namespace nodemcu_emu::core {

namespace {
int new_epoll_set() {
  int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::runtime_error("epoll_create1 failed");
  return fd;
}

std::uint64_t tag(std::uint32_t slot, std::uint32_t generation) {
  return (static_cast<std::uint64_t>(generation) << 32) | slot;
}
}  // namespace

Poller::Poller(boost::asio::io_context& io) : set_(io, new_epoll_set()) {}

Poller::~Poller() = default;

Poller::Watch Poller::watch(int fd, std::uint32_t events, Client& client,
                            boost::system::error_code& ec) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag(slot, slots_[slot].generation);
  if (::epoll_ctl(set_.native_handle(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    ec.assign(errno, boost::system::system_category());
    free_.push_back(slot);
    return {};
  }
  slots_[slot].client = &client;
  slots_[slot].fd = fd;
  if (next_ >= ready_count_) arm();  // (mid-batch, the batch's end arms)
  return Watch(this, slot, events);
}

void Poller::Watch::set(std::uint32_t events) {
  if (poller_ == nullptr || events == events_) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag(slot_, poller_->slots_[slot_].generation);
  if (::epoll_ctl(poller_->set_.native_handle(), EPOLL_CTL_MOD, poller_->slots_[slot_].fd, &ev) == 0)
    events_ = events;
}

void Poller::Watch::hand_over(Client& client) {
  if (poller_ != nullptr) poller_->slots_[slot_].client = &client;
}

void Poller::Watch::forget() {
  if (poller_ == nullptr) return;
  std::exchange(poller_, nullptr)->release(slot_);
}

void Poller::Watch::remove() {
  if (poller_ == nullptr) return;
  epoll_event ev{};
  ::epoll_ctl(poller_->set_.native_handle(), EPOLL_CTL_DEL, poller_->slots_[slot_].fd, &ev);
  forget();
}

void Poller::release(std::uint32_t slot) {
  slots_[slot].client = nullptr;
  slots_[slot].fd = -1;
  ++slots_[slot].generation;
  free_.push_back(slot);
}

// The epoll descriptor is readable while a watched socket is ready. Asio's reactor sees it
// edge-triggered and re-arms it per wait: one epoll_ctl per wake-up, not per message.
void Poller::arm() {
  if (armed_) return;  // one wait at a time
  armed_ = true;
  set_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                  [this](const boost::system::error_code& ec) {
                    armed_ = false;
                    if (!ec) fetch();
                  });
}

void Poller::fetch() {
  int n = ::epoll_wait(set_.native_handle(), ready_, k_batch, 0);  // ready now: no waiting
  ready_count_ = n > 0 ? n : 0;
  next_ = 0;
  serve_one();
}

bool Poller::serve_one() {
  bool served = false;
  while (!served && next_ < ready_count_) {
    const epoll_event& ev = ready_[next_++];
    auto slot = static_cast<std::uint32_t>(ev.data.u64);
    auto generation = static_cast<std::uint32_t>(ev.data.u64 >> 32);
    Client* client = slots_[slot].client;
    if (client == nullptr || slots_[slot].generation != generation) continue;  // gone since
    client->on_ready(ev.events);
    served = true;
  }
  if (next_ >= ready_count_) arm();
  return served;
}

}  // namespace nodemcu_emu::core
