// The pixel buffer operations whose arithmetic differs between firmware versions: ws2812.buffer
// (1.5.4.1, 2.2.1: ws2812.c) and pixbuf (3.0: pixbuf.c). Lua-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nodemcu_emu::modules::ws2812 {

struct Pixels {
  std::uint8_t* values;
  std::size_t npix;
  std::size_t nchan;
  std::size_t bytes() const { return npix * nchan; }
};

struct MixSource {
  int factor;  // 256 is 100 %
  const std::uint8_t* values;
};

// ws2812.c posrelat: negative counts from the end, then at least 0.
long posrelat_v2(long pos, std::size_t len);
// pixbuf.c posrelat: negative counts from the end, then clamped to 1..len.
long posrelat_v3(long pos, std::size_t len);

// ws2812.c buffer:shift on pixels start..end (already clamped to 1..npix). The caller has
// checked |shift| <= end - start + 1.
void shift_v2(Pixels p, int shift, bool circular, long start, long end);
// pixbuf_shift: `offset`/`window`/`shift` in bytes.
void shift_v3(Pixels p, std::size_t offset, std::size_t window, std::size_t shift, bool left,
              bool circular);

// 1.5.4.1: each source's product is shifted by 8 first; 2.2.1: the sum is; 3.0: the sum is
// rounded (+128, /256). All clamp to 0..255.
void mix(Pixels out, const std::vector<MixSource>& sources, int profile);

}  // namespace nodemcu_emu::modules::ws2812
