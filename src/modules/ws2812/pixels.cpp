#include "modules/ws2812/pixels.hpp"

#include <algorithm>
#include <cstring>

namespace nodemcu_emu::modules::ws2812 {

long posrelat_v2(long pos, std::size_t len) {
  if (pos < 0) pos += static_cast<long>(len) + 1;
  return pos >= 0 ? pos : 0;
}

long posrelat_v3(long pos, std::size_t len) {
  if (pos < 0) pos += static_cast<long>(len) + 1;
  return std::min(std::max(pos, 1L), static_cast<long>(len));
}

void shift_v2(Pixels p, int shift_value, bool circular, long start, long end) {
  long first = start - 1;
  long size = end - first;
  std::size_t offset = static_cast<std::size_t>(first) * p.nchan;
  if (shift_value == 0 || size <= 0) return;  // an empty range takes any count, even INT_MIN
  long shift = shift_value >= 0 ? shift_value : -static_cast<long>(shift_value);
  std::size_t shift_len = static_cast<std::size_t>(shift) * p.nchan;
  std::size_t remaining = static_cast<std::size_t>(size - shift) * p.nchan;
  std::uint8_t* v = p.values + offset;
  std::vector<std::uint8_t> out_going(shift_len);
  if (shift_value > 0) {  // towards the end: the last `shift` pixels come back at the start
    std::memcpy(out_going.data(), v + remaining, shift_len);
    std::memmove(v + shift_len, v, remaining);
    if (circular)
      std::memcpy(v, out_going.data(), shift_len);
    else
      std::memset(v, 0, shift_len);
  } else {
    std::memcpy(out_going.data(), v, shift_len);
    std::memmove(v, v + shift_len, remaining);
    if (circular)
      std::memcpy(v + remaining, out_going.data(), shift_len);
    else
      std::memset(v + remaining, 0, shift_len);
  }
}

void shift_v3(Pixels p, std::size_t offset, std::size_t window, std::size_t shift, bool left,
              bool circular) {
  std::uint8_t* v = p.values + offset;
  if (shift == 0 || window == 0) return;
  if (circular) {
    // pixbuf_shift_circular rotates through a 32-byte buffer, one chunk at a time, and moves
    // its window on by each chunk: past 32 bytes it rotates the wrong bytes, and past the
    // buffer's end it writes into the heap. The chunks are reproduced, clipped to the buffer.
    std::size_t cursor = offset;
    for (std::size_t remaining = shift; remaining > 0;) {
      std::size_t now = std::min<std::size_t>(remaining, 32);
      std::size_t end = std::min(cursor + window, p.bytes());
      if (cursor >= end) break;
      std::size_t n = std::min(now, end - cursor);
      std::uint8_t* b = p.values + cursor;
      std::uint8_t* e = p.values + end;
      std::rotate(b, left ? b + n : e - n, e);
      cursor += now;
      remaining -= now;
    }
    return;
  }
  if (left) {
    std::memmove(v, v + shift, window - shift);
    std::memset(v + window - shift, 0, shift);
  } else {
    std::memmove(v + shift, v, window - shift);
    std::memset(v, 0, shift);
  }
}

void mix(Pixels out, const std::vector<MixSource>& sources, int profile) {
  // 64-bit sums: the firmware's are int, which a factor past ~2^23 overflows (undefined; a
  // wrapped value on the chip). Every sum that fits an int comes out the same.
  for (std::size_t i = 0; i < out.bytes(); ++i) {
    std::int64_t val = 0;
    for (const MixSource& s : sources) {
      std::int64_t product = std::int64_t{s.values[i]} * s.factor;
      val += profile == 1 ? (product >> 8) : product;
    }
    if (profile == 2) val >>= 8;
    if (profile >= 3) val = (val + 128) / 256;
    out.values[i] = static_cast<std::uint8_t>(std::clamp<std::int64_t>(val, 0, 255));
  }
}

}  // namespace nodemcu_emu::modules::ws2812
