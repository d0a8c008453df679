// The memory of a pixel buffer userdata (ws2812.buffer in 1.x/2.x, pixbuf.buf in 3.x): a
// header, then npix * nchan bytes, as the firmware lays it out.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lua/lua.hpp"
#include "modules/ws2812/pixels.hpp"

namespace nodemcu_emu::modules::ws2812 {

inline constexpr char k_buffer_class[] = "ws2812.buffer";  // 1.x, 2.x
inline constexpr char k_pixbuf_class[] = "pixbuf.buf";     // 3.x

struct BufferHeader {
  std::size_t npix;
  std::size_t nchan;
  std::uint8_t* values() { return reinterpret_cast<std::uint8_t*>(this + 1); }
  Pixels pixels() { return {values(), npix, nchan}; }
};

// A new zeroed buffer on the stack; `bytes` may differ from npix * nchan (1.x/2.x keep the
// channel count in a byte but allocate with the full one).
BufferHeader* new_buffer(lua_State* L, const char* cls, std::size_t npix, std::size_t nchan,
                         std::size_t bytes);

// `luaL_checkinteger(L, arg) - 1` as get/set compute a pixel's index: in the chip's 32-bit int,
// where 1 - 1 is 0 and -2^31 - 1 wraps to 2^31 - 1 (out of range either way) instead of the
// host's undefined overflow.
inline int pixel_index_arg(lua_State* L, int arg) {
  return static_cast<int>(static_cast<std::uint32_t>(luaL_checkinteger(L, arg)) - 1u);
}

// "[(g,r,b),(g,r,b)]": __tostring of both classes.
int buffer_tostring(lua_State* L, BufferHeader* b);

// The buffer classes and their methods (ws2812_buffer.cpp, pixbuf.cpp).
void register_buffer_v2(lua_State* L);
int new_buffer_v2(lua_State* L);  // ws2812.newBuffer in 1.x, 2.x
void register_pixbuf(lua_State* L);
int new_pixbuf(lua_State* L);  // pixbuf.newBuffer, ws2812.newBuffer in 3.x

}  // namespace nodemcu_emu::modules::ws2812
