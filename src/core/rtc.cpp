#include "core/rtc.hpp"

namespace nodemcu_emu::core {

std::int64_t Rtc::scaled(Micros elapsed) const {
  // elapsed * (2^32 + rate) >> 32 without a 96-bit product: split elapsed at 2^32.
  std::int64_t e = elapsed.count();
  std::int64_t hi = e >> 32;
  std::int64_t lo = e & 0xFFFFFFFF;
  return e + hi * rate_ + ((lo * rate_) >> 32);
}

std::uint64_t Rtc::epoch_us(Micros now) const {
  if (!set_) return 0;
  return base_us_ + static_cast<std::uint64_t>(scaled(now - ref_));
}

void Rtc::set_epoch_us(Micros now, std::uint64_t us) {
  set_ = true;
  base_us_ = us;
  ref_ = now;
}

void Rtc::set_rate(Micros now, std::int32_t rate) {
  // rtc_time_set_rate: the time so far is kept at the old rate, the new one applies from now.
  if (set_) base_us_ = epoch_us(now);
  ref_ = now;
  rate_ = rate;
}

std::int32_t Rtc::adjust_delta(std::int32_t delta) const {
  // The firmware computes in unsigned 64 bits (1ull << 32): the product wraps and the shift is
  // logical, so a negative delta comes back as the low 32 bits of that product.
  auto d = static_cast<std::uint64_t>(static_cast<std::int64_t>(delta));
  auto f = (std::uint64_t{1} << 32) + static_cast<std::uint64_t>(static_cast<std::int64_t>(rate_));
  return static_cast<std::int32_t>(static_cast<std::uint32_t>((d * f) >> 32));
}

}  // namespace nodemcu_emu::core
