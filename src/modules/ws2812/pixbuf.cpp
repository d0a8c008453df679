// pixbuf (3.0: pixbuf.c), also ws2812.newBuffer there. The firmware's own bugs that stay inside
// the buffer are kept (fadeI's fade-in stride, mix4I5 stopping at a black pixel, map refusing
// a one-pixel range); where it would touch memory outside the buffer, the emulator stops at the
// buffer's end (docs/peripherals.md, "ws2812").
#include <algorithm>
#include <cstring>
#include <vector>

#include "lua/fields.hpp"
#include "lua/userdata.hpp"
#include "modules/ws2812/buffer.hpp"

namespace nodemcu_emu::modules::ws2812 {

namespace {

constexpr unsigned k_fade_in = 0, k_fade_out = 1;  // enum pixbuf_fade
constexpr unsigned k_shift_logical = 0, k_shift_circular = 1;

BufferHeader* check(lua_State* L, int index) {
  return static_cast<BufferHeader*>(luaL_checkudata(L, index, k_pixbuf_class));
}

BufferHeader* test(lua_State* L, int index) {
  return lua::test_userdata<BufferHeader>(L, index, k_pixbuf_class);
}

BufferHeader* make(lua_State* L, std::size_t leds, std::size_t chans) {
  if (leds > 8192 || chans > 32) luaL_error(L, "pixbuf size limits exeeded");
  return new_buffer(L, k_pixbuf_class, leds, chans, leds * chans);
}

int settop_self(lua_State* L) {
  lua_settop(L, 1);
  return 1;
}

int p_concat(lua_State* L) {
  BufferHeader* lhs = check(L, 1);
  BufferHeader* rhs = check(L, 2);
  luaL_argcheck(L, lhs->nchan == rhs->nchan, 1,
                "can only concatenate buffers with same channel count");
  BufferHeader* r = make(L, lhs->npix + rhs->npix, lhs->nchan);
  std::memcpy(r->values(), lhs->values(), lhs->npix * lhs->nchan);
  std::memcpy(r->values() + lhs->npix * lhs->nchan, rhs->values(), rhs->npix * rhs->nchan);
  return 1;
}

int p_channels(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(check(L, 1)->nchan));
  return 1;
}

int p_dump(lua_State* L) {
  BufferHeader* b = check(L, 1);
  lua_pushlstring(L, reinterpret_cast<const char*>(b->values()), b->npix * b->nchan);
  return 1;
}

int p_eq(lua_State* L) {
  BufferHeader* a = check(L, 1);
  BufferHeader* b = check(L, 2);
  bool same = a->npix == b->npix && a->nchan == b->nchan &&
              std::memcmp(a->values(), b->values(), a->npix * a->nchan) == 0;
  lua_pushboolean(L, same);
  return 1;
}

int p_fade(lua_State* L) {
  BufferHeader* b = check(L, 1);
  auto fade = static_cast<int>(luaL_checkinteger(L, 2));
  auto direction = static_cast<unsigned>(luaL_optinteger(L, 3, k_fade_out));
  luaL_argcheck(L, fade > 0, 2, "fade value should be a strictly positive int");
  std::uint8_t* p = b->values();
  for (std::size_t i = 0; i < b->npix * b->nchan; ++i, ++p)
    *p = static_cast<std::uint8_t>(direction == k_fade_out ? *p / fade : std::min(*p * fade, 255));
  return 0;
}

int p_fadeI(lua_State* L) {
  BufferHeader* b = check(L, 1);
  auto fade = static_cast<int>(luaL_checkinteger(L, 2));
  auto direction = static_cast<unsigned>(luaL_optinteger(L, 3, k_fade_out));
  luaL_argcheck(L, fade > 0, 2, "fade value should be a strictly positive int");
  std::size_t bytes = b->npix * b->nchan;
  std::size_t at = 0;
  for (std::size_t i = 0; i < b->npix && at < bytes; ++i, at += b->nchan) {
    std::uint8_t* p = b->values() + at;
    if (direction == k_fade_out) {
      *p = static_cast<std::uint8_t>(*p / fade);
    } else {
      *p = static_cast<std::uint8_t>(std::min(*p * fade, 255));
      ++at;  // pixbuf.c advances one byte more per pixel when fading in
    }
  }
  return 0;
}

int p_fill(lua_State* L) {
  BufferHeader* b = check(L, 1);
  if (b->npix == 0) return settop_self(L);
  if (lua_gettop(L) != static_cast<int>(1 + b->nchan))
    return luaL_argerror(L, 1, "need as many values as colors per pixel");
  for (std::size_t i = 0; i < b->nchan; ++i)
    b->values()[i] = static_cast<std::uint8_t>(luaL_checkinteger(L, 2 + static_cast<int>(i)));
  for (std::size_t i = 1; i < b->npix; ++i)
    std::memcpy(b->values() + i * b->nchan, b->values(), b->nchan);
  return settop_self(L);
}

int p_get(lua_State* L) {
  BufferHeader* b = check(L, 1);
  int led = pixel_index_arg(L, 2);
  luaL_argcheck(L, led >= 0 && static_cast<std::size_t>(led) < b->npix, 2, "index out of range");
  luaL_checkstack(L, static_cast<int>(b->nchan), nullptr);
  for (std::size_t i = 0; i < b->nchan; ++i)
    lua_pushinteger(L, b->values()[b->nchan * static_cast<std::size_t>(led) + i]);
  return static_cast<int>(b->nchan);
}

// :map(f, buf1, ilo, ihi, [buf2, ilo2])
int p_map(lua_State* L) {
  BufferHeader* out = check(L, 1);
  BufferHeader* b1 = test(L, 3);
  if (!b1) b1 = out;
  long ilo = posrelat_v3(static_cast<long>(luaL_optinteger(L, 4, 1)), b1->npix) - 1;
  long ihi = posrelat_v3(static_cast<long>(luaL_optinteger(L, 5, static_cast<lua_Integer>(b1->npix))), b1->npix) - 1;
  luaL_argcheck(L, ihi > ilo, 3, "Buffer limits out of order");
  auto npix = static_cast<std::size_t>(ihi - ilo + 1);
  luaL_argcheck(L, npix == out->npix, 1, "Output buffer wrong size");
  BufferHeader* b2 = test(L, 6);
  long ilo2 = b2 ? posrelat_v3(static_cast<long>(luaL_optinteger(L, 7, 1)), b2->npix) - 1 : 0;
  if (b2) luaL_argcheck(L, static_cast<std::size_t>(ilo2) + npix <= b2->npix, 6, "Second buffer too short");
  int nargs = static_cast<int>(b1->nchan + (b2 ? b2->nchan : 0));
  luaL_checkstack(L, nargs + static_cast<int>(out->nchan) + 1, nullptr);
  for (std::size_t p = 0; p < npix; ++p) {
    lua_pushvalue(L, 2);
    for (std::size_t c = 0; c < b1->nchan; ++c)
      lua_pushinteger(L, b1->values()[(static_cast<std::size_t>(ilo) + p) * b1->nchan + c]);
    if (b2)
      for (std::size_t c = 0; c < b2->nchan; ++c)
        lua_pushinteger(L, b2->values()[(static_cast<std::size_t>(ilo2) + p) * b2->nchan + c]);
    lua_call(L, nargs, static_cast<int>(out->nchan));
    for (std::size_t c = 0; c < out->nchan; ++c) {
      out->values()[(p + 1) * out->nchan - c - 1] = static_cast<std::uint8_t>(luaL_checkinteger(L, -1));
      lua_pop(L, 1);
    }
  }
  return settop_self(L);
}

// pixbuf_mix_i3: intensity-mediated RGB (4 channels), `ibits` of global intensity.
void mix_i3(BufferHeader* out, unsigned ibits, const std::vector<MixSource>& src) {
  std::uint8_t* o = out->values();
  for (std::size_t p = 0; p < out->npix; ++p) {
    std::int32_t sums[3] = {0, 0, 0};
    for (const MixSource& s : src)
      for (std::size_t c = 0; c < 3; ++c)
        sums[c] += static_cast<std::int32_t>(s.values[4 * p + c + 1]) * s.values[4 * p] * s.factor;
    std::uint32_t pmaxc = 0;
    for (std::int32_t v : sums) pmaxc = static_cast<std::uint32_t>(v) > pmaxc ? static_cast<std::uint32_t>(v) : pmaxc;
    std::uint32_t maxgi;
    if (pmaxc == 0) {
      std::memset(o + 4 * p, 0, 4);
      return;  // pixbuf.c returns here: the pixels after a black one are left as they were
    } else if (pmaxc <= (1u << 16)) {
      maxgi = 1;
    } else if (pmaxc >= ((1u << ibits) - 1) << 16) {
      maxgi = (1u << ibits) - 1;
    } else {
      maxgi = (pmaxc >> 16) + 1;
    }
    o[4 * p] = static_cast<std::uint8_t>(maxgi);
    for (std::size_t c = 0; c < 3; ++c) {
      std::int32_t v = (sums[c] + 256 * static_cast<std::int32_t>(maxgi) - 127) / (256 * static_cast<std::int32_t>(maxgi));
      o[4 * p + c + 1] = static_cast<std::uint8_t>(std::clamp(v, 0, 255));
    }
  }
}

int mix_core(lua_State* L, unsigned ibits) {
  BufferHeader* b = check(L, 1);
  int n = (lua_gettop(L) - 1) / 2;
  if (n == 0) return settop_self(L);
  BufferHeader* last = nullptr;
  for (int s = 0, pos = 2; s < n; ++s, pos += 2) {
    luaL_checkinteger(L, pos);
    last = check(L, pos + 1);
    luaL_argcheck(L, last->npix == b->npix && last->nchan == b->nchan, pos + 1,
                  "buffer not same size or shape");
  }
  if (ibits != 0) luaL_argcheck(L, last->nchan == 4, 2, "Requires 4 channel pixbuf");
  {
    std::vector<MixSource> sources;  // no Lua error while it lives
    for (int s = 0, pos = 2; s < n; ++s, pos += 2)
      sources.push_back({static_cast<int>(lua_tointeger(L, pos)),
                         static_cast<BufferHeader*>(lua_touserdata(L, pos + 1))->values()});
    if (ibits != 0)
      mix_i3(b, ibits, sources);
    else
      mix(b->pixels(), sources, 3);
  }
  return settop_self(L);
}

int p_mix(lua_State* L) {
  return mix_core(L, 0);
}

int p_mix4I5(lua_State* L) {
  return mix_core(L, 5);
}

int p_power(lua_State* L) {
  BufferHeader* b = check(L, 1);
  int total = 0;
  for (std::size_t i = 0; i < b->npix * b->nchan; ++i) total += b->values()[i];
  lua_pushinteger(L, total);
  return 1;
}

int p_powerI(lua_State* L) {
  BufferHeader* b = check(L, 1);
  int total = 0;
  const std::uint8_t* p = b->values();
  for (std::size_t i = 0; i < b->npix; ++i) {
    int intensity = *p++;
    for (std::size_t j = 0; j + 1 < b->nchan; ++j) total += intensity * *p++;
  }
  lua_pushinteger(L, total);
  return 1;
}

int p_replace(lua_State* L) {
  BufferHeader* b = check(L, 1);
  long start = posrelat_v3(static_cast<long>(luaL_optinteger(L, 3, 1)), b->npix);
  const std::uint8_t* src;
  std::size_t src_len;
  if (lua_type(L, 2) == LUA_TSTRING) {
    std::size_t length = 0;
    src = reinterpret_cast<const std::uint8_t*>(lua_tolstring(L, 2, &length));
    src_len = length / b->nchan;
  } else {
    BufferHeader* rhs = check(L, 2);
    luaL_argcheck(L, rhs->nchan == b->nchan, 2, "buffers have different channels");
    src = rhs->values();
    src_len = rhs->npix;
  }
  // an empty buffer gives start 0: the chip would write in front of it
  luaL_argcheck(L, start >= 1 && src_len + static_cast<std::size_t>(start) - 1 <= b->npix, 2,
                "does not fit into destination");
  std::memmove(b->values() + static_cast<std::size_t>(start - 1) * b->nchan, src, src_len * b->nchan);
  return 0;
}

int p_set(lua_State* L) {
  BufferHeader* b = check(L, 1);
  int led = pixel_index_arg(L, 2);
  std::size_t ch = b->nchan;
  luaL_argcheck(L, led >= 0 && static_cast<std::size_t>(led) < b->npix, 2, "index out of range");
  std::uint8_t* at = b->values() + ch * static_cast<std::size_t>(led);
  int type = lua_type(L, 3);
  if (type == LUA_TTABLE) {
    for (std::size_t i = 0; i < ch; ++i) {
      lua_rawgeti(L, 3, static_cast<int>(i + 1));
      at[i] = static_cast<std::uint8_t>(lua_tointeger(L, -1));
      lua_pop(L, 1);
    }
  } else if (type == LUA_TSTRING) {
    std::size_t len = 0;
    const char* s = lua_tolstring(L, 3, &len);
    if (ch * static_cast<std::size_t>(led) + len > ch * b->npix)
      return luaL_error(L, "string size will exceed strip length");
    if (len % ch != 0) return luaL_error(L, "string does not contain whole LEDs");
    std::memcpy(at, s, len);
  } else {
    luaL_argcheck(L, lua_gettop(L) <= static_cast<int>(2 + ch), static_cast<int>(2 + ch), "extra values given");
    for (std::size_t i = 0; i < ch; ++i)
      at[i] = static_cast<std::uint8_t>(luaL_checkinteger(L, 3 + static_cast<int>(i)));
  }
  return settop_self(L);
}

int p_shift(lua_State* L) {
  BufferHeader* b = check(L, 1);
  lua_Integer count = luaL_checkinteger(L, 2);
  auto type = static_cast<unsigned>(luaL_optinteger(L, 3, k_shift_logical));
  long start = posrelat_v3(static_cast<long>(luaL_optinteger(L, 4, 1)), b->npix);
  long end = posrelat_v3(static_cast<long>(luaL_optinteger(L, 5, -1)), b->npix);
  bool left = count < 0;
  // A count past the strip fails the size check below whatever the product, so it is caught
  // before multiplying: a huge one (2^63) would overflow the product.
  auto npix = static_cast<lua_Integer>(b->npix);
  std::size_t shift = count > npix || count < -npix
                          ? b->npix * b->nchan + 1
                          : static_cast<std::size_t>(left ? -count : count) * b->nchan;
  if (type != k_shift_logical && type != k_shift_circular) return luaL_argerror(L, 3, "invalid shift type");
  if (start < 1) return luaL_argerror(L, 4, "start position must be >= 1");
  if (end < start) return luaL_argerror(L, 5, "end position must be >= start");
  std::size_t offset = static_cast<std::size_t>(start - 1) * b->nchan;
  std::size_t window = static_cast<std::size_t>(end - start + 1) * b->nchan;
  if (shift > b->npix * b->nchan) return luaL_argerror(L, 2, "shifting more elements than buffer size");
  if (shift > window) return luaL_argerror(L, 2, "shifting more than sliced window");
  shift_v3(b->pixels(), offset, window, shift, left, type == k_shift_circular);
  return 0;
}

int p_size(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(check(L, 1)->npix));
  return 1;
}

int p_sub(lua_State* L) {
  BufferHeader* b = check(L, 1);
  long start = posrelat_v3(static_cast<long>(luaL_checkinteger(L, 2)), b->npix);
  long end = posrelat_v3(static_cast<long>(luaL_optinteger(L, 3, -1)), b->npix);
  // an empty buffer gives 0..0; the chip would copy a pixel from in front of it
  std::size_t n = start <= end && start >= 1 ? static_cast<std::size_t>(end - start + 1) : 0;
  std::size_t nchan = b->nchan;
  BufferHeader* r = make(L, n, nchan);
  b = static_cast<BufferHeader*>(lua_touserdata(L, 1));
  if (n) std::memcpy(r->values(), b->values() + nchan * static_cast<std::size_t>(start - 1), nchan * n);
  return 1;
}

int p_tostring(lua_State* L) {
  return buffer_tostring(L, check(L, 1));
}

}  // namespace

int new_pixbuf(lua_State* L) {
  int leds = luaL_checkint(L, 1);
  int chans = luaL_checkint(L, 2);
  luaL_argcheck(L, leds > 0, 1, "should be a positive integer");
  luaL_argcheck(L, chans > 0, 2, "should be a positive integer");
  make(L, static_cast<std::size_t>(leds), static_cast<std::size_t>(chans));
  return 1;
}

void register_pixbuf(lua_State* L) {
  static const luaL_Reg methods[] = {
      {"__eq", p_eq},           {"__concat", p_concat}, {"__tostring", p_tostring},
      {"channels", p_channels}, {"dump", p_dump},       {"fade", p_fade},
      {"fadeI", p_fadeI},       {"fill", p_fill},       {"get", p_get},
      {"replace", p_replace},   {"map", p_map},         {"mix", p_mix},
      {"mix4I5", p_mix4I5},     {"power", p_power},     {"powerI", p_powerI},
      {"set", p_set},           {"shift", p_shift},     {"size", p_size},
      {"sub", p_sub},           {nullptr, nullptr}};
  lua::new_class(L, k_pixbuf_class, methods);
}

}  // namespace nodemcu_emu::modules::ws2812

namespace nodemcu_emu::modules {

// pixbuf (3.x): the buffer class and its constants.
int open_pixbuf(lua_State* L) {
  using namespace ws2812;
  register_pixbuf(L);
  lua_newtable(L);
  lua_pushcfunction(L, new_pixbuf);
  lua_setfield(L, -2, "newBuffer");
  lua::set_constants(L, {{"FADE_IN", k_fade_in},
                         {"FADE_OUT", k_fade_out},
                         {"SHIFT_CIRCULAR", k_shift_circular},
                         {"SHIFT_LOGICAL", k_shift_logical}});
  return 1;
}

}  // namespace nodemcu_emu::modules
