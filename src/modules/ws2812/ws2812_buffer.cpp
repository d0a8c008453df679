// ws2812.buffer (ws2812.c at 1.5.4.1 and 2.2.1): fill, fade, shift, dump, replace, mix, power,
// get, set, size, sub, .., tostring, with each version's arithmetic and error texts. Where the
// firmware would write outside the buffer (a shift longer than its window in 2.2.1, replace
// at position 0), the emulator raises an error instead (docs/peripherals.md, "ws2812").
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/device.hpp"
#include "lua/userdata.hpp"
#include "modules/ws2812/buffer.hpp"

namespace nodemcu_emu::modules::ws2812 {

BufferHeader* new_buffer(lua_State* L, const char* cls, std::size_t npix, std::size_t nchan,
                         std::size_t bytes) {
  void* mem = lua_newuserdata(L, sizeof(BufferHeader) + bytes);
  auto* b = static_cast<BufferHeader*>(mem);
  b->npix = npix;
  b->nchan = nchan;
  std::memset(b->values(), 0, bytes);
  luaL_getmetatable(L, cls);
  lua_setmetatable(L, -2);
  return b;
}

namespace {

constexpr int k_buffer_fade_out = 0;     // FADE_OUT in 1.x/2.x
constexpr int k_buffer_shift_logical = 0;
constexpr std::size_t k_max_bytes = 1u << 20;

int profile(lua_State* L) {
  return core::Device::from(L).options().firmware;
}

BufferHeader* check_buffer(lua_State* L, int index) {
  return static_cast<BufferHeader*>(luaL_checkudata(L, index, k_buffer_class));
}

BufferHeader* allocate(lua_State* L, std::size_t leds, std::size_t colors) {
  // More than the chip's whole RAM fails on the device with "not enough memory"; without
  // --heap the host would try to allocate it.
  if (leds * colors > k_max_bytes) {
    lua_pushliteral(L, "not enough memory");
    lua_error(L);
  }
  return new_buffer(L, k_buffer_class, leds, static_cast<std::uint8_t>(colors), leds * colors);
}

int b_fill(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  std::uint8_t colors[256];
  for (std::size_t i = 0; i < b->nchan; ++i)
    colors[i] = static_cast<std::uint8_t>(luaL_checkinteger(L, 2 + static_cast<int>(i)));
  std::uint8_t* p = b->values();
  for (std::size_t i = 0; i < b->npix; ++i)
    for (std::size_t j = 0; j < b->nchan; ++j) *p++ = colors[j];
  return 0;
}

int b_fade(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  auto fade = static_cast<int>(luaL_checkinteger(L, 2));
  auto direction = static_cast<unsigned>(luaL_optinteger(L, 3, k_buffer_fade_out));
  luaL_argcheck(L, fade > 0, 2, "fade value should be a strict positive number");
  std::uint8_t* p = b->values();
  for (std::size_t i = 0; i < b->npix * b->nchan; ++i, ++p) {
    if (direction == k_buffer_fade_out)
      *p = static_cast<std::uint8_t>(*p / fade);
    else
      // The firmware's int product can overflow (UB, a wrapped value on the chip): a product
      // made in 64 bits saturates at 255 as every smaller one does.
      *p = static_cast<std::uint8_t>(std::min<std::int64_t>(std::int64_t{*p} * fade, 255));
  }
  return 0;
}

int b_shift(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  auto value = static_cast<int>(luaL_checkinteger(L, 2));
  auto type = static_cast<unsigned>(luaL_optinteger(L, 3, k_buffer_shift_logical));
  long start = posrelat_v2(static_cast<long>(luaL_optinteger(L, 4, 1)), b->npix);
  long end = posrelat_v2(static_cast<long>(luaL_optinteger(L, 5, -1)), b->npix);
  if (start < 1) start = 1;
  if (end > static_cast<long>(b->npix)) end = static_cast<long>(b->npix);
  long size = end - (start - 1);
  // 1.5.4.1 checks |shift| < size; 2.2.1 dropped the check and moves memory it does not own
  // when |shift| > size: the emulator keeps 1.5.4.1's error for that case.
  long shift = value >= 0 ? value : -static_cast<long>(value);
  bool fits = profile(L) == 1 ? (value > -size && value < size) : (shift <= size || size <= 0 || shift == 0);
  luaL_argcheck(L, fits, 2, "shifting more elements than buffer size");
  shift_v2(b->pixels(), value, type != k_buffer_shift_logical, start, end);
  return 0;
}

int b_dump(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  lua_pushlstring(L, reinterpret_cast<const char*>(b->values()), b->npix * b->nchan);
  return 1;
}

int b_replace(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  long start = posrelat_v2(static_cast<long>(luaL_optinteger(L, 3, 1)), b->npix);
  const std::uint8_t* src;
  std::size_t src_len;
  if (lua_type(L, 2) == LUA_TSTRING) {
    std::size_t length = 0;
    src = reinterpret_cast<const std::uint8_t*>(lua_tolstring(L, 2, &length));
    src_len = b->nchan == 0 ? 0 : length / b->nchan;
  } else {
    BufferHeader* rhs = check_buffer(L, 2);
    src = rhs->values();
    src_len = rhs->npix;
    luaL_argcheck(L, rhs->nchan == b->nchan, 2, "Buffers have different colors");
  }
  // start 0 (a position before the buffer) would write in front of it on the chip
  luaL_argcheck(L, start >= 1 && src_len + static_cast<std::size_t>(start) - 1 <= b->npix, 2,
                "Does not fit into destination");
  std::memmove(b->values() + static_cast<std::size_t>(start - 1) * b->nchan, src, src_len * b->nchan);
  return 0;
}

int b_mix(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  int n = (lua_gettop(L) - 1) / 2;
  for (int s = 0, pos = 2; s < n; ++s, pos += 2) {
    luaL_checkinteger(L, pos);
    BufferHeader* src = check_buffer(L, pos + 1);
    luaL_argcheck(L, src->npix == b->npix && src->nchan == b->nchan, pos + 1, "Buffer not same shape");
  }
  std::vector<MixSource> sources;  // no Lua error from here on
  for (int s = 0, pos = 2; s < n; ++s, pos += 2)
    sources.push_back({static_cast<int>(lua_tointeger(L, pos)),
                       static_cast<BufferHeader*>(lua_touserdata(L, pos + 1))->values()});
  mix(b->pixels(), sources, profile(L) == 1 ? 1 : 2);
  return 0;
}

int b_power(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  int total = 0;
  for (std::size_t i = 0; i < b->npix * b->nchan; ++i) total += b->values()[i];
  lua_pushnumber(L, total);
  return 1;
}

int b_get(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  int led = pixel_index_arg(L, 2);
  luaL_argcheck(L, led >= 0 && static_cast<std::size_t>(led) < b->npix, 2, "index out of range");
  // A value per channel, and a buffer may have any number of them: room first (the firmware
  // pushes them unchecked, past the stack beyond about 20).
  luaL_checkstack(L, static_cast<int>(b->nchan), "too many results");
  for (std::size_t i = 0; i < b->nchan; ++i) lua_pushnumber(L, b->values()[b->nchan * static_cast<std::size_t>(led) + i]);
  return static_cast<int>(b->nchan);
}

int b_set(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  int led = pixel_index_arg(L, 2);
  luaL_argcheck(L, led >= 0 && static_cast<std::size_t>(led) < b->npix, 2, "index out of range");
  std::uint8_t* at = b->values() + b->nchan * static_cast<std::size_t>(led);
  int type = lua_type(L, 3);
  if (type == LUA_TTABLE) {
    for (std::size_t i = 0; i < b->nchan; ++i) {
      lua_rawgeti(L, 3, static_cast<int>(i + 1));
      at[i] = static_cast<std::uint8_t>(static_cast<long long>(lua_tonumber(L, -1)));
      lua_pop(L, 1);
    }
  } else if (type == LUA_TSTRING) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, 3, &len);
    if (b->nchan * static_cast<std::size_t>(led) + len > b->nchan * b->npix)
      return luaL_error(L, "string size will exceed strip length");
    std::memcpy(at, s, len);
  } else {
    for (std::size_t i = 0; i < b->nchan; ++i)
      at[i] = static_cast<std::uint8_t>(luaL_checkinteger(L, 3 + static_cast<int>(i)));
  }
  return 0;
}

int b_size(lua_State* L) {
  lua_pushnumber(L, static_cast<lua_Number>(check_buffer(L, 1)->npix));
  return 1;
}

int b_sub(lua_State* L) {
  BufferHeader* b = check_buffer(L, 1);
  long l = static_cast<long>(b->npix);
  long start = posrelat_v2(static_cast<long>(luaL_checkinteger(L, 2)), b->npix);
  long end = posrelat_v2(static_cast<long>(luaL_optinteger(L, 3, -1)), b->npix);
  if (start < 1) start = 1;
  if (end > l) end = l;
  std::size_t n = start <= end ? static_cast<std::size_t>(end - start + 1) : 0;
  std::size_t nchan = b->nchan;
  BufferHeader* r = allocate(L, n, nchan);
  b = static_cast<BufferHeader*>(lua_touserdata(L, 1));
  if (n) std::memcpy(r->values(), b->values() + nchan * static_cast<std::size_t>(start - 1), nchan * n);
  return 1;
}

int b_concat(lua_State* L) {
  BufferHeader* lhs = check_buffer(L, 1);
  BufferHeader* rhs = check_buffer(L, 2);
  luaL_argcheck(L, lhs->nchan == rhs->nchan, 1, "Can only concatenate buffers with same colors");
  BufferHeader* r = allocate(L, lhs->npix + rhs->npix, lhs->nchan);
  std::memcpy(r->values(), lhs->values(), lhs->npix * lhs->nchan);
  std::memcpy(r->values() + lhs->npix * lhs->nchan, rhs->values(), rhs->npix * rhs->nchan);
  return 1;
}

}  // namespace

int buffer_tostring(lua_State* L, BufferHeader* b) {
  luaL_Buffer out;
  luaL_buffinit(L, &out);
  luaL_addchar(&out, '[');
  const std::uint8_t* p = b->values();
  for (std::size_t i = 0; i < b->npix; ++i) {
    if (i > 0) luaL_addchar(&out, ',');
    luaL_addchar(&out, '(');
    for (std::size_t j = 0; j < b->nchan; ++j, ++p) {
      if (j > 0) luaL_addchar(&out, ',');
      char num[5];
      std::snprintf(num, sizeof num, "%d", *p);
      luaL_addstring(&out, num);
    }
    luaL_addchar(&out, ')');
  }
  luaL_addchar(&out, ']');
  luaL_pushresult(&out);
  return 1;
}

namespace {
int b_tostring(lua_State* L) {
  return buffer_tostring(L, check_buffer(L, 1));
}
}  // namespace

int new_buffer_v2(lua_State* L) {
  int leds = luaL_checkint(L, 1);
  int colors = luaL_checkint(L, 2);
  luaL_argcheck(L, leds > 0, 1, "should be a positive integer");
  luaL_argcheck(L, colors > 0, 2, "should be a positive integer");
  allocate(L, static_cast<std::size_t>(leds), static_cast<std::size_t>(colors));
  return 1;
}

void register_buffer_v2(lua_State* L) {
  static const luaL_Reg methods[] = {
      {"dump", b_dump},   {"fade", b_fade},       {"fill", b_fill},     {"get", b_get},
      {"replace", b_replace}, {"mix", b_mix},     {"power", b_power},   {"set", b_set},
      {"shift", b_shift}, {"size", b_size},       {"sub", b_sub},       {"__concat", b_concat},
      {"__tostring", b_tostring}, {nullptr, nullptr}};
  lua::new_class(L, k_buffer_class, methods);
}

}  // namespace nodemcu_emu::modules::ws2812
