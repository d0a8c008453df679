#include "core/peer_watch.hpp"

#include <algorithm>
#include <optional>

namespace nodemcu_emu::core {

void PeerWatch::Hold::touch() {
  if (entry_) entry_->until = std::chrono::steady_clock::now() + entry_->grace;
}

PeerWatch::Hold PeerWatch::hold() {
  Hold h;
  if (!active()) return h;
  h.entry_ = std::make_shared<Hold::Entry>(Hold::Entry{grace_, {}});
  h.touch();
  // Expired entries go here rather than in a sweep of their own: holds come and go with
  // connections, and this keeps the list as long as the connections alive.
  std::erase_if(holds_, [](const auto& w) { return w.expired(); });
  holds_.push_back(h.entry_);
  return h;
}

std::optional<PeerWatch::RealTime> PeerWatch::held_until(RealTime now) {
  std::optional<RealTime> latest;
  for (const auto& w : holds_) {
    auto e = w.lock();
    if (e && e->until > now && (!latest || e->until > *latest)) latest = e->until;
  }
  return latest;
}

PeerWatch::Own PeerWatch::own(const Endpoint& endpoint) {
  if (!active()) return Own();
  ++own_[endpoint];
  return Own(this, endpoint);
}

bool PeerWatch::is_own(const Endpoint& peer) const {
  if (own_.count(peer)) return true;
  Endpoint any(peer.address().is_v6() ? boost::asio::ip::address(boost::asio::ip::address_v6::any())
                                      : boost::asio::ip::address(boost::asio::ip::address_v4::any()),
               peer.port());
  return own_.count(any) != 0;
}

PeerWatch::Own& PeerWatch::Own::operator=(Own&& o) noexcept {
  if (this != &o) {
    reset();
    watch_ = std::exchange(o.watch_, nullptr);
    endpoint_ = o.endpoint_;
  }
  return *this;
}

void PeerWatch::Own::reset() {
  if (!watch_) return;
  auto it = watch_->own_.find(endpoint_);
  if (it != watch_->own_.end() && --it->second == 0) watch_->own_.erase(it);
  watch_ = nullptr;
}

}  // namespace nodemcu_emu::core
