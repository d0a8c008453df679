// rtcmem: the 128 words of RTC user memory (app/modules/rtcmem.c at 2.2.1-master_20190405 /
// 3.0.0-release_20240225). They live in core::Rtc, so they survive node.restart and deep sleep.
#include <cstdint>

#include "core/device.hpp"
#include "core/rtc.hpp"

namespace nodemcu_emu::modules {

namespace {

using core::Device;
using core::Rtc;

int check_index(lua_State* L) {
  lua_Number n = luaL_checknumber(L, 1);  // luaL_checkinteger at 3.0: the same check and text
  if (!(n == n) || n > 2e9 || n < -2e9) return -1;
  return static_cast<int>(n);
}

// rtcmem.read32(idx[, num]): up to `num` words from idx, fewer (or none) past the end.
int rtcmem_read32(lua_State* L) {
  int idx = check_index(L);
  lua_Number count = 1;
  if (Device::from(L).options().firmware >= 3) {
    if (lua_gettop(L) >= 2) count = lua_tonumber(L, 2);  // lua_tointeger: nil counts 0
  } else if (lua_isnumber(L, 2)) {
    count = lua_tonumber(L, 2);
  }
  int n = count > 1e6 ? 1000000 : count < 0 ? 0 : static_cast<int>(count);
  if (n == 0 || !lua_checkstack(L, n)) return 0;
  auto& mem = Device::from(L).rtc().user_memory();
  int pushed = 0;
  for (; n > 0 && idx >= 0 && idx < static_cast<int>(Rtc::k_user_words); --n, ++pushed)
    // lua_pushinteger of a uint32_t: the device's lua_Integer is 32 bits, so words from
    // 0x80000000 up read back negative.
    lua_pushinteger(L, static_cast<std::int32_t>(mem[static_cast<std::size_t>(idx++)]));
  return pushed;
}

// rtcmem.write32(idx, val[, val ...]).
int rtcmem_write32(lua_State* L) {
  int idx = check_index(L);
  int n = lua_gettop(L) - 1;
  luaL_argcheck(L, idx + n <= static_cast<int>(Rtc::k_user_words), 1, "RTC mem would overrun");
  auto& mem = Device::from(L).rtc().user_memory();
  for (int src = 2; n-- > 0; ++idx, ++src) {
    lua_Number v = lua_tonumber(L, src);  // a non-number writes 0
    // A negative index reaches the system's part of RTC memory on the chip; here it is ignored.
    if (idx < 0) continue;
    std::int64_t whole = (v == v && v < 9.2e18 && v > -9.2e18) ? static_cast<std::int64_t>(v) : 0;
    mem[static_cast<std::size_t>(idx)] = static_cast<std::uint32_t>(whole);
  }
  return 0;
}

}  // namespace

int open_rtcmem(lua_State* L) {
  static const luaL_Reg functions[] = {
      {"read32", rtcmem_read32}, {"write32", rtcmem_write32}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
