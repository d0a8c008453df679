// rtctime: the RTC's time of day on the device's Clock (app/modules/rtctime.c and
// app/include/rtc/rtctime_internal.h at 2.2.1-master_20190405 / 3.0.0-release_20240225).
// The time lives in core::Rtc, which survives restart and deep sleep as RTC memory does.
#include <cstdint>

#include "core/device.hpp"
#include "core/rtc.hpp"
#include "lua/fields.hpp"
#include "modules/rtctime/rtctime_errors.hpp"

namespace rtctime_errors = nodemcu_emu::modules::rtctime::errors;

namespace nodemcu_emu::modules {

namespace {

using core::Device;
using core::Micros;

// The firmware stores Lua numbers into uint32_t; out-of-range values wrap (NaN gives 0).
std::uint32_t to_u32(lua_Number n) {
  if (!(n == n) || n >= 9.2e18 || n <= -9.2e18) return 0;
  return static_cast<std::uint32_t>(static_cast<std::int64_t>(n));
}

bool v3(lua_State* L) { return Device::from(L).options().firmware >= 3; }

// 2.x reads numbers with luaL_checknumber, 3.0 with luaL_checkinteger: the same check and
// text in Lua 5.1 (both truncate), so one helper serves both.
std::uint32_t check_u32(lua_State* L, int index) { return to_u32(luaL_checknumber(L, index)); }

void set_time(Device& d, std::uint32_t sec, std::uint32_t usec) {
  // rtc_time_settimeofday: sec * 10^6 + usec, so a usec past a second simply carries.
  d.rtc().set_epoch_us(d.loop().now(), std::uint64_t{sec} * 1000000 + usec);
}

// rtctime.set([sec[, usec[, rate]]]): 3.0 skips the time when sec is not a number (rate only).
int rtctime_set(lua_State* L) {
  Device& d = Device::from(L);
  if (!v3(L) || lua_isnumber(L, 1)) {
    std::uint32_t sec = check_u32(L, 1);
    std::uint32_t usec = lua_isnumber(L, 2) ? to_u32(lua_tonumber(L, 2)) : 0;
    set_time(d, sec, usec);
  }
  if (lua_isnumber(L, 3))
    d.rtc().set_rate(d.loop().now(), static_cast<std::int32_t>(to_u32(lua_tonumber(L, 3))));
  return 0;
}

// rtctime.get() -> sec, usec, rate (0, 0 while the time is unset).
int rtctime_get(lua_State* L) {
  Device& d = Device::from(L);
  std::uint64_t us = d.rtc().epoch_us(d.loop().now());
  lua_pushnumber(L, static_cast<lua_Number>(static_cast<std::uint32_t>(us / 1000000)));
  lua_pushnumber(L, static_cast<lua_Number>(us % 1000000));
  lua_pushnumber(L, d.rtc().rate());
  return 3;
}

// rtctime.adjust_delta(usec): usec as the current rate stretches it.
int rtctime_adjust_delta(lua_State* L) {
  auto us = static_cast<std::int32_t>(check_u32(L, 1));
  lua_pushnumber(L, Device::from(L).rtc().adjust_delta(us));
  return 1;
}

// do_sleep_opt: the option is unsigned, so a negative one is "unknown" too.
void check_sleep_option(lua_State* L, int index) {
  if (lua_isnumber(L, index) && to_u32(lua_tonumber(L, index)) > 4)
    luaL_error(L, rtctime_errors::k_unknown_sleep_option);
}

// rtctime.dsleep(usec[, option]): the RTC keeps counting while the chip sleeps (the Clock
// moves on by `usec`), then the device boots again (Device::deep_sleep).
int rtctime_dsleep(lua_State* L) {
  std::uint32_t us = check_u32(L, 1);
  check_sleep_option(L, 2);
  Device::from(L).deep_sleep(Micros(us));
  return 0;
}

// rtctime.dsleep_aligned(align_us, min_us[, option]): wakes at the next multiple of align_us
// of the time of day at least min_us from now (rtc_time_deep_sleep_until_aligned).
int rtctime_dsleep_aligned(lua_State* L) {
  Device& d = Device::from(L);
  if (!d.rtc().have_time()) return luaL_error(L, rtctime_errors::k_time_not_available_unable_to_align);
  std::uint32_t align = check_u32(L, 1);
  std::uint32_t min_us = check_u32(L, 2);
  check_sleep_option(L, 3);
  std::uint64_t now = d.rtc().epoch_us(d.loop().now());
  std::uint64_t then = now + min_us;
  if (align) {
    then += align - 1;
    then -= then % align;
  }
  d.deep_sleep(Micros(static_cast<std::int64_t>(static_cast<std::uint32_t>(then - now))));
  return 0;
}

bool is_leap(int year) { return !(year % 4) && ((year % 100) || !(year % 400)); }

// rtctime.epoch2cal(stamp): rtctime_gmtime's calendar (UTC, no leap seconds).
int rtctime_epoch2cal(lua_State* L) {
  static const int days_before_month[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  lua_Integer raw = luaL_checkinteger(L, 1);
  // luaL_checkint into an int32_t on the device: larger stamps wrap negative and fail too.
  auto stamp = static_cast<std::int32_t>(raw);
  luaL_argcheck(L, stamp >= 0, 1, "wrong arg range");
  std::int32_t work = stamp % 86400;
  int sec = work % 60;
  work /= 60;
  int min = work % 60, hour = work / 60;
  work = stamp / 86400;
  int wday = (4 + work) % 7;
  int year = 1970;
  for (;; ++year) {
    int k = is_leap(year) ? 366 : 365;
    if (work < k) break;
    work -= k;
  }
  int yday = work;
  int mday = 1;
  if (is_leap(year) && work > 58) {
    if (work == 59) mday = 2;  // 29 February
    work -= 1;
  }
  int mon = 11;
  while (mon && days_before_month[mon] > work) --mon;
  mday += work - days_before_month[mon];
  lua_createtable(L, 0, 8);
  lua::set_integer(L, "yday", yday + 1);
  lua::set_integer(L, "wday", wday + 1);
  lua::set_integer(L, "year", year);
  lua::set_integer(L, "mon", mon + 1);
  lua::set_integer(L, "day", mday);
  lua::set_integer(L, "hour", hour);
  lua::set_integer(L, "min", min);
  lua::set_integer(L, "sec", sec);
  return 1;
}

}  // namespace

int open_rtctime(lua_State* L) {
  static const luaL_Reg functions[] = {{"set", rtctime_set},
                                       {"get", rtctime_get},
                                       {"adjust_delta", rtctime_adjust_delta},
                                       {"dsleep", rtctime_dsleep},
                                       {"dsleep_aligned", rtctime_dsleep_aligned},
                                       {"epoch2cal", rtctime_epoch2cal},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
