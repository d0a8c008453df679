// tmr: timer objects on the device's Clock (spec/tmr.md). Callbacks are pcallx-protected.
// Under --firmware=1 the module-level register/alarm/... also take the numbered timers 0-6 of
// 1.5.4.1 (tmr.c@1.5.4.1-master_20161201): one set of functions serves both, as there.
#include <array>
#include <climits>
#include <cstdint>
#include <string>

#include "core/device.hpp"
#include "core/timer_handle.hpp"
#include "lua/fields.hpp"
#include "lua/ref.hpp"
#include "lua/userdata.hpp"
#include "modules/tmr/tmr_errors.hpp"

namespace nodemcu_emu::modules {

namespace {

using core::Device;
using core::Micros;

namespace tmr_errors = tmr::errors;

constexpr const char* k_timer_class = "tmr.timer";
// The SDK's os_timer limit (tmr.c MAX_TIMEOUT).
constexpr lua_Number k_max_interval = 0x68D7A3;
// NUM_TMR of 1.5.4.1 (platform_tmr_exists: id < 7).
constexpr int k_numbered_timers = 7;

bool v1(lua_State* L) { return Device::from(L).options().firmware == 1; }
// Before 3.0 (1.5.4.1 and 2.2.1 alike): decimal range text, no restart flag, plain errors.
bool before_v3(lua_State* L) { return Device::from(L).options().firmware < 3; }

enum Mode : int { k_single = 0, k_auto = 1, k_semi = 2, k_off = 3 };

struct Timer {
  Device* device;
  int id;
  // One of tmr 0-6 (profile 1): owned by the module, so it needs no anchor, and its callback
  // gets the number (alarm_timer_common pushes the id when self_ref is LUA_REFNIL).
  bool numbered = false;
  Mode mode = k_off;
  bool idle = false;  // registered but not running (the firmware's TIMER_IDLE_FLAG)
  std::uint32_t interval_ms = 0;
  lua::Ref callback;
  lua::Ref anchor;  // keeps a running timer alive when the script drops it
  core::TimerHandle scheduled;
  Micros deadline{0};

  Timer(Device* d, int n, bool is_numbered = false) : device(d), id(n), numbered(is_numbered) {}
  bool running() const { return mode != k_off && !idle; }
  std::string name() const {
    return (numbered ? "tmr[" : "tmr#") + std::to_string(id) + (numbered ? "]" : "");
  }

  void disarm() { scheduled.cancel(); }
  void arm(lua_State* L, int self_index) {
    disarm();
    if (!anchor && !numbered) anchor = lua::Ref(L, self_index);
    idle = false;
    deadline = device->loop().now() + std::chrono::milliseconds(interval_ms);
    schedule();
  }
  void schedule();
  void fire();
};

struct TmrState {
  explicit TmrState(Device& d)
      : device(d),
        numbered{Timer(&d, 0, true), Timer(&d, 1, true), Timer(&d, 2, true), Timer(&d, 3, true),
                 Timer(&d, 4, true), Timer(&d, 5, true), Timer(&d, 6, true)} {}
  TmrState(const TmrState&) = delete;
  TmrState& operator=(const TmrState&) = delete;

  Device& device;
  int next_id = 1;
  int softwd_left = -1;
  core::TimerHandle softwd_timer;  // the chip's own timer: it does not survive a reboot
  std::array<Timer, k_numbered_timers> numbered;  // used under profile 1 only
};

void Timer::schedule() {
  scheduled.start_at(device->loop(), deadline, [this] { fire(); });
}

void Timer::fire() {
  Device& d = *device;
  if (d.trace().enabled()) d.trace().emit(d.loop().now(), name(), "fire");
  // What the call gets is taken now: the firmware pushes the function and the timer before it
  // forgets a single-shot timer (state() is nil inside) or idles a semi-automatic one. `this`
  // may be collected during the call (nothing anchors it then), so nothing of it is used after.
  lua::Ref fn;
  lua::Ref self;
  switch (mode) {
    case k_single:
      fn = std::move(callback);
      self = std::move(anchor);
      mode = k_off;
      idle = false;
      break;
    case k_semi:  // idle again: start() inside the callback re-arms it
      idle = true;
      self = std::move(anchor);
      break;
    case k_auto: {  // periodic re-arm from the previous deadline: Lua's run time adds no drift
      deadline += std::chrono::milliseconds(interval_ms);
      Micros now = d.loop().now();
      if (deadline <= now) deadline = now + std::chrono::milliseconds(interval_ms);
      schedule();
      break;
    }
    case k_off:
      return;
  }
  const lua::Ref& function = fn ? fn : callback;
  const lua::Ref& timer = self ? self : anchor;
  int number = numbered ? id : -1;
  d.dispatch(function, core::Protection::pcallx, [&timer, number](lua_State* L) {
    if (number >= 0) lua_pushinteger(L, number);
    else timer.push(L);
    return 1;
  }, core::Pushes::plain);  // a number or a registry reference: nothing allocates
}

// tmr_get@1.5.4.1: a timer object or the number of one of the seven fixed timers. The number
// is read as unsigned, so negative ones are "invalid timer index" too.
Timer* numbered_or_object(lua_State* L) {
  if (!lua_isuserdata(L, 1) && !lua_isnumber(L, 1)) luaL_argerror(L, 1, tmr_errors::k_timer_or_id);
  if (lua_isuserdata(L, 1)) return static_cast<Timer*>(luaL_checkudata(L, 1, k_timer_class));
  lua_Number id = lua_tonumber(L, 1);
  if (!(id >= 0 && id < k_numbered_timers)) luaL_argerror(L, 1, tmr_errors::k_invalid_index);
  return &Device::from(L).module_state<TmrState>().numbered[static_cast<std::size_t>(id)];
}

Timer* check_timer(lua_State* L) {
  if (v1(L)) return numbered_or_object(L);
  return static_cast<Timer*>(luaL_checkudata(L, 1, k_timer_class));
}

std::uint32_t check_interval(lua_State* L, int index) {
  lua_Number n = luaL_checknumber(L, index);
  // Negative values wrap to huge u32 on the device, so they fail the same check.
  if (!(n >= 1 && n <= k_max_interval))
    luaL_argerror(L, index, before_v3(L) ? tmr_errors::k_range_decimal : tmr_errors::k_range);
  return static_cast<std::uint32_t>(n);
}

void do_register(lua_State* L, Timer* t) {
  std::uint32_t interval = check_interval(L, 2);
  lua_Integer mode = luaL_checkinteger(L, 3);
  if (mode != k_single && mode != k_auto && mode != k_semi) luaL_argerror(L, 3, tmr_errors::k_invalid_mode);
  if (!lua_isfunction(L, 4)) luaL_argerror(L, 4, tmr_errors::k_must_be_function);
  t->disarm();
  t->anchor.reset();
  t->callback = lua::Ref(L, 4);
  t->interval_ms = interval;
  t->mode = static_cast<Mode>(mode);
  t->idle = true;
}

int timer_register(lua_State* L) {
  do_register(L, check_timer(L));
  return 0;
}

int timer_alarm(lua_State* L) {
  Timer* t = check_timer(L);
  do_register(L, t);
  t->arm(L, 1);
  lua_pushboolean(L, 1);
  return 1;
}

int timer_start(lua_State* L) {
  Timer* t = check_timer(L);
  // start(restart) came with 3.0: before, anything after the timer is ignored and a running
  // timer is left as it is (tmr.c tmr_start at 1.5.4.1 and 2.2.1).
  bool old = before_v3(L);
  if (!old && !lua_isnoneornil(L, 2) && !lua_isboolean(L, 2))
    luaL_argerror(L, 2, tmr_errors::k_boolean_expected);
  bool restart = !old && lua_toboolean(L, 2) != 0;
  bool started = false;
  if (t->mode != k_off && (t->idle || restart)) {
    t->arm(L, 1);
    started = true;
  }
  lua_pushboolean(L, started);
  return 1;
}

int timer_stop(lua_State* L) {
  Timer* t = check_timer(L);
  bool was_running = t->running();
  if (was_running) {
    t->disarm();
    t->idle = true;
    t->anchor.reset();
  }
  lua_pushboolean(L, was_running);
  return 1;
}

int timer_unregister(lua_State* L) {
  Timer* t = check_timer(L);
  t->disarm();
  t->callback.reset();
  t->anchor.reset();
  t->mode = k_off;
  t->idle = false;
  return 0;
}

int timer_interval(lua_State* L) {
  Timer* t = check_timer(L);
  std::uint32_t interval = check_interval(L, 2);
  if (t->mode == k_off) return 0;
  t->interval_ms = interval;
  if (t->running()) t->arm(L, 1);  // the period restarts from now
  return 0;
}

int timer_state(lua_State* L) {
  Timer* t = check_timer(L);
  if (t->mode == k_off) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushboolean(L, t->running());
  lua_pushinteger(L, t->mode);
  return 2;
}

int timer_tostring(lua_State* L) {
  Timer* t = check_timer(L);
  lua_pushfstring(L, "tmr.timer: %p", static_cast<void*>(t));
  return 1;
}

int tmr_create(lua_State* L) {
  Device& d = Device::from(L);
  auto& state = d.module_state<TmrState>();
  lua::new_userdata<Timer>(L, k_timer_class, &d, state.next_id++);
  return 1;
}

int tmr_now(lua_State* L) {
  auto us = static_cast<std::uint64_t>(Device::from(L).uptime().count());
  lua_pushinteger(L, static_cast<lua_Integer>(us & 0x7FFFFFFFu));
  return 1;
}

int tmr_time(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(Device::from(L).uptime().count() / 1000000));
  return 1;
}

int tmr_ccount(lua_State* L) {
  // An 80 MHz CPU's cycle counter, 32 bits.
  auto us = static_cast<std::uint64_t>(Device::from(L).uptime().count());
  lua_pushinteger(L, static_cast<lua_Integer>(static_cast<std::uint32_t>(us * 80)));
  return 1;
}

int tmr_delay(lua_State* L) {
  lua_Integer us = luaL_checkinteger(L, 1);
  if (us <= 0) {
    // 1.5.4.1 and 2.2.1 raise a plain error (tmr.c tmr_delay: luaL_error), not an argument
    // error.
    if (before_v3(L)) luaL_error(L, tmr_errors::k_wrong_arg_range);
    luaL_argerror(L, 1, tmr_errors::k_wrong_arg_range);
  }
  // The device's integers are 32-bit (its conversion saturates): at most INT32_MAX us, which
  // also keeps the virtual clock far from overflowing however often it is called.
  if (us > INT32_MAX) us = INT32_MAX;
  Device::from(L).loop().clock().busy_wait(Micros(us));
  return 0;
}

int tmr_wdclr(lua_State*) { return 0; }

void softwd_tick(Device& d) {
  auto& s = d.module_state<TmrState>();
  if (--s.softwd_left < 0) {
    core::Console::diagnostic("nodemcu-emu: tmr.softwd expired: the device restarts");
    d.reboot_after_error(Micros(0), 4);  // tmr.c calls system_restart(): a software restart
    return;
  }
  s.softwd_timer.start_after(d.loop(), std::chrono::seconds(1), [&d] { softwd_tick(d); });
}

int tmr_softwd(lua_State* L) {
  lua_Integer seconds = luaL_checkinteger(L, 1);
  Device& d = Device::from(L);
  auto& s = d.module_state<TmrState>();
  s.softwd_timer.cancel();
  // A 32-bit counter on the device; clamped so that counting down can never overflow.
  s.softwd_left = seconds < 0 ? -1 : seconds > INT32_MAX ? INT32_MAX : static_cast<int>(seconds);
  if (seconds >= 0)
    s.softwd_timer.start_after(d.loop(), std::chrono::seconds(1), [&d] { softwd_tick(d); });
  return 0;
}

}  // namespace

int open_tmr(lua_State* L) {
  static const luaL_Reg methods[] = {
      {"register", timer_register}, {"alarm", timer_alarm},
      {"start", timer_start},       {"stop", timer_stop},
      {"unregister", timer_unregister}, {"interval", timer_interval},
      {"state", timer_state},       {"__gc", lua::destroy_userdata<Timer>},
      {"__tostring", timer_tostring}, {nullptr, nullptr}};
  lua::new_class(L, k_timer_class, methods);
  static const luaL_Reg functions[] = {
      {"create", tmr_create}, {"now", tmr_now},     {"time", tmr_time},
      {"ccount", tmr_ccount}, {"delay", tmr_delay}, {"wdclr", tmr_wdclr},
      {"softwd", tmr_softwd}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  if (v1(L)) {
    // 1.5.4.1's tmr_map: the timer functions at module level too (they take a number or an
    // object).
    static const luaL_Reg numbered[] = {
        {"register", timer_register}, {"alarm", timer_alarm},
        {"start", timer_start},       {"stop", timer_stop},
        {"unregister", timer_unregister}, {"interval", timer_interval},
        {"state", timer_state},       {nullptr, nullptr}};
    luaL_register(L, nullptr, numbered);
  }
  if (before_v3(L)) lua::remove_fields(L, {"ccount"});  // came with 3.0 (not in tmr_map at 2.2.1)
  lua::set_constants(L,
                     {{"ALARM_SINGLE", k_single}, {"ALARM_AUTO", k_auto}, {"ALARM_SEMI", k_semi}});
  return 1;
}

}  // namespace nodemcu_emu::modules
