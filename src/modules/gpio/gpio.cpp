// gpio (gpio.c, platform.c): pins as state in memory. Outputs drive the pad; inputs read what
// drive_input()/emu_gpio.drive set, else their pull-up. Interrupts follow the firmware: the
// "ISR" counts edges and posts one high-priority task that calls trig's callback with
// (level, when, eventcount) under luaL_pcallx.
#include <algorithm>
#include <string>
#include <vector>

#include "core/device.hpp"
#include "lua/fields.hpp"
#include "modules/gpio/gpio_errors.hpp"
#include "modules/gpio/gpio_state.hpp"

namespace gpio_errors = nodemcu_emu::modules::gpio::errors;

namespace nodemcu_emu::modules::gpio {

namespace {

using core::Device;
using core::Micros;

constexpr std::size_t k_delay_table_max = 256;                   // DELAY_TABLE_MAX_LEN
// A level interrupt that still holds when its callback returns fires again at once on the
// chip; here the Clock moves on by this much first (the callback's run time), so a script's
// timers still run between two callbacks.
constexpr Micros k_level_refire = Micros(500);

struct Serout {
  int pin = 0;
  int level = 0;
  std::uint32_t repeats = 0;
  std::vector<std::uint32_t> delays;
  std::size_t index = 0;
  core::TimerHandle timer;
  lua::Ref done;  // the async serout's callback
};

struct GpioState {
  explicit GpioState(Device& d) : device(d) {}
  Device& device;
  std::array<Pin, k_pin_count> pins{};
  std::array<lua::Ref, k_pin_count> trig;  // gpio.trig callbacks
  Serout serout;
  std::vector<std::function<void(int)>> mode_hooks;
};

GpioState& gpio_state(Device& d) {
  return d.module_state<GpioState>();
}

int pad_level(const Pin& p, int pin) {
  if (p.output_enabled && (!p.open_drain || p.latch == 0)) return p.latch;
  if (p.external) return *p.external;
  return pin != 0 && p.pullup ? 1 : 0;  // GPIO16 has no pull-up
}

bool is_level_type(int type) {
  return type >= k_low;
}

bool condition_holds(int type, int old_level, int level) {
  switch (type) {
    case k_up:
      return old_level == 0 && level == 1;
    case k_down:
      return old_level == 1 && level == 0;
    case k_both:
      return old_level != level;
    case k_low:
      return level == 0;
    case k_high:
      return level == 1;
    default:
      return false;
  }
}

void run_callback_task(Device& d, int pin, int level, std::uint32_t then);

void keep(Pin& p, LevelChange change) {
  if (p.history.size() == k_history_max) p.history.pop_front();
  p.history.push_back(change);
}

void record(Device& d, int pin, Pin& p) {
  keep(p, {d.uptime(), p.level});
  if (d.trace().enabled())
    d.trace().emit(d.loop().now(), "gpio", "level", {{"pin", pin}, {"level", p.level}});
}

// platform_gpio_intr_dispatcher for one pin.
void interrupt(Device& d, int pin) {
  Pin& p = gpio_state(d).pins[static_cast<std::size_t>(pin)];
  if (p.int_type == k_none) {  // unexpected: shut it off
    p.armed = k_none;
    return;
  }
  std::uint16_t diff = p.seen ^ p.reported;
  p.seen = static_cast<std::uint16_t>((p.seen + 1) & 0x7fff);
  if (is_level_type(p.int_type)) p.armed = k_none;  // re-armed after the callback
  if (diff != 0 && !(diff & 0x8000)) return;        // a task is already on its way
  auto then = static_cast<std::uint32_t>(d.uptime().count()) & 0x7fffffffu;
  int level = p.level;
  d.tasks().post(core::TaskQueue::high,
                 [&d, pin, level, then] { run_callback_task(d, pin, level, then); });
}

// The pad may have changed: note the new level and raise the interrupt it arms.
void update(Device& d, int pin) {
  Pin& p = gpio_state(d).pins[static_cast<std::size_t>(pin)];
  int old_level = p.level;
  p.level = pad_level(p, pin);
  // The board (spi chip-selects, models) knows pads as pulled up until told otherwise.
  if (d.board().pin_level(pin) != p.level) d.board().pin_changed(pin, p.level);
  if (p.level != old_level) record(d, pin, p);
  if (p.armed != k_none && condition_holds(p.armed, old_level, p.level)) interrupt(d, pin);
}

// platform_gpio_intr_init: arm (or disarm) the pin; a level already present fires at once.
void arm(Device& d, int pin, int type) {
  Pin& p = gpio_state(d).pins[static_cast<std::size_t>(pin)];
  p.int_type = type;
  p.armed = type;
  if (is_level_type(type) && condition_holds(type, p.level, p.level)) interrupt(d, pin);
}

// The pin's trig callback: the function at `index`, or none (index 0).
void set_trig_callback(lua_State* L, int pin, int index) {
  auto& slot = gpio_state(Device::from(L)).trig[static_cast<std::size_t>(pin)];
  if (index == 0)
    slot.reset();
  else
    slot = lua::Ref(L, index);
}

// gpio_intr_callback_task
void run_callback_task(Device& d, int pin, int level, std::uint32_t then) {
  GpioState& g = gpio_state(d);
  Pin& p = g.pins[static_cast<std::size_t>(pin)];
  // 1.5.4.1's callback gets the level only; `when` and the edge count came with 2.x.
  const bool level_only = d.options().firmware == 1;
  bool ok = d.dispatch(g.trig[static_cast<std::size_t>(pin)], core::Protection::pcallx,
                       [&p, level, then, level_only](lua_State* L) {
                         lua_pushinteger(L, level);
                         int count = 0x7fff & (p.seen - p.reported);
                         p.reported = p.seen & 0x7fff;
                         if (level_only) return 1;
                         lua_pushinteger(L, then);
                         lua_pushinteger(L, count);
                         return 3;
                       });
  if (!ok) return;
  Pin& after = gpio_state(d).pins[static_cast<std::size_t>(pin)];
  if (!is_level_type(after.int_type)) return;
  after.rearm_timer.start_after(d.loop(), k_level_refire, [&d, pin] {
    Pin& q = gpio_state(d).pins[static_cast<std::size_t>(pin)];
    if (is_level_type(q.int_type)) arm(d, pin, q.int_type);
  });
}

// --- Lua ---

unsigned check_pin(lua_State* L, int index) {
  return static_cast<unsigned>(luaL_checkinteger(L, index));
}

// MOD_CHECK_ID(gpio, pin)
void check_exists(lua_State* L, unsigned pin) {
  if (pin >= k_pin_count) luaL_error(L, gpio_errors::k_gpio_does_not_exist, static_cast<int>(pin));
}

// platform_gpio_mode
void set_mode(Device& d, int pin, int mode, bool pullup) {
  for (const auto& hook : gpio_state(d).mode_hooks) hook(pin);
  Pin& p = gpio_state(d).pins[static_cast<std::size_t>(pin)];
  p.mode = mode;
  if (pin == 0) {  // GPIO16: plain input or output, no pull-up, no interrupt
    p.output_enabled = mode != k_input;
    p.open_drain = false;
    update(d, pin);
    return;
  }
  p.pullup = pullup;
  if (mode != k_int) p.int_type = k_none;  // set_gpio_no_interrupt
  p.armed = k_none;                        // both paths write INT_TYPE = DISABLE
  p.output_enabled = mode == k_output || mode == k_opendrain;
  p.open_drain = mode == k_opendrain;
  update(d, pin);
}

int gpio_mode(lua_State* L) {
  unsigned pin = check_pin(L, 1);
  auto mode = static_cast<unsigned>(luaL_checkinteger(L, 2));
  lua_Integer pullup = luaL_optinteger(L, 3, 0);
  luaL_argcheck(L, pin < k_pin_count && (mode != k_int || pin > 0), 1, gpio_errors::k_invalid_pin);
  luaL_argcheck(L, mode == k_output || mode == k_opendrain || mode == k_input || mode == k_int, 2,
                gpio_errors::k_wrong_arg_type);
  if (mode != k_int) set_trig_callback(L, static_cast<int>(pin), 0);
  set_mode(Device::from(L), static_cast<int>(pin), static_cast<int>(mode), pullup != 0);
  return 0;
}

int gpio_read(lua_State* L) {
  unsigned pin = check_pin(L, 1);
  check_exists(L, pin);
  lua_pushinteger(L, pin_level(Device::from(L), static_cast<int>(pin)));
  return 1;
}

// GPIO_OUTPUT_SET also enables the pin's output driver (gpio16_output_conf for pin 0).
void write_pin(Device& d, int pin, int level) {
  Pin& p = gpio_state(d).pins[static_cast<std::size_t>(pin)];
  p.latch = level;
  p.output_enabled = true;
  update(d, pin);
}

int gpio_write(lua_State* L) {
  unsigned pin = check_pin(L, 1);
  auto level = static_cast<unsigned>(luaL_checkinteger(L, 2));
  check_exists(L, pin);
  luaL_argcheck(L, level == 0 || level == 1, 2, gpio_errors::k_wrong_level_type);
  write_pin(Device::from(L), static_cast<int>(pin), static_cast<int>(level));
  return 0;
}

int gpio_trig(lua_State* L) {
  static const char* const names[] = {"none", "up", "down", "both", "low", "high", nullptr};
  unsigned pin = check_pin(L, 1);
  luaL_argcheck(L, pin < k_pin_count && pin > 0, 1, gpio_errors::k_invalid_interrupt_pin);
  int type = luaL_checkoption(L, 2, "none", names);
  int p = static_cast<int>(pin);
  bool had_callback = static_cast<bool>(gpio_state(Device::from(L)).trig[pin]);
  if (type == k_none) {
    set_trig_callback(L, p, 0);
  } else if (lua_gettop(L) == 2 && had_callback) {
    // keeps the old callback
  } else if (lua_isfunction(L, 3)) {
    set_trig_callback(L, p, 3);
  } else {
    set_trig_callback(L, p, 0);
    luaL_argerror(L, 3, gpio_errors::k_invalid_callback_type);
  }
  Device& d = Device::from(L);
  Pin& pinref = gpio_state(d).pins[pin];
  pinref.reported = pinref.seen & 0x7fff;  // drop interrupts still queued
  arm(d, p, type);
  return 0;
}

// --- serout ---

void serout_step(Device& d);

void serout_done(Device& d) {
  lua::Ref done = std::move(gpio_state(d).serout.done);  // called once
  d.dispatch(done, core::Protection::pcallx);
}

// seroutasync_done at 1.5.4.1 and 2.2.1: the callback (upvalue 1) under lua_pcall, its error
// raised again as "error: <message>" where nothing protects it (a PANIC).
int serout_done_before_3(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  if (lua_pcall(L, 0, 0, 0) != 0)
    return luaL_error(L, gpio_errors::k_serout_callback_error, lua_tostring(L, -1));
  return 0;
}

// seroutasync_cb: one toggle, then the hardware timer for the next delay.
void serout_step(Device& d) {
  Serout& s = gpio_state(d).serout;
  if (s.index < s.delays.size()) {
    write_pin(d, s.pin, s.level);
    s.level = s.level == 0 ? 1 : 0;
    std::uint32_t delay = s.delays[s.index++];
    if (s.repeats && s.index >= s.delays.size()) {
      s.index = 0;
      --s.repeats;
    }
    s.timer.start_after(d.loop(), Micros(delay), [&d] { serout_step(d); });
    return;
  }
  d.tasks().post(core::TaskQueue::low, [&d] { serout_done(d); });
}

void serout_sync(Device& d) {
  Serout& s = gpio_state(d).serout;
  if (s.delays.empty()) return;  // every cycle is empty: 2^32 of them (cycle_num 0) change nothing
  do {
    for (s.index = 0; s.index < s.delays.size(); ++s.index) {
      write_pin(d, s.pin, s.level);
      s.level = s.level == 0 ? 1 : 0;
      d.loop().clock().busy_wait(Micros(s.delays[s.index]));
    }
  } while (s.repeats--);
  s.delays.clear();
}

int gpio_serout(lua_State* L) {
  Device& d = Device::from(L);
  Serout& s = gpio_state(d).serout;
  s.timer.cancel();  // the one serout in flight is taken over
  s.pin = static_cast<int>(check_pin(L, 1));
  s.level = static_cast<int>(luaL_checkinteger(L, 2));
  // u32 arithmetic: cycle_num - 1 as the firmware computes it, without signed overflow.
  s.repeats = static_cast<std::uint32_t>(luaL_optinteger(L, 4, 1)) - 1u;
  s.done.reset();
  bool async = !lua_isnoneornil(L, 5);
  if (async && !lua_isnumber(L, 5)) {
    // Before 3.0 seroutasync_done calls it with lua_pcall and raises its error again.
    if (d.options().firmware < 3) {
      lua_pushvalue(L, 5);
      lua_pushcclosure(L, serout_done_before_3, 1);
      lua_replace(L, 5);
    }
    s.done = lua::Ref(L, 5);
  }
  s.delays.clear();
  luaL_argcheck(L, s.pin >= 0 && s.pin < k_pin_count, 1, gpio_errors::k_invalid_pin);
  luaL_argcheck(L, s.level == 0 || s.level == 1, 2, gpio_errors::k_serout_wrong_level_type);
  luaL_argcheck(L, lua_istable(L, 3) && lua_objlen(L, 3) < k_delay_table_max, 3,
                gpio_errors::k_invalid_delay_times);
  std::size_t n = lua_objlen(L, 3);
  for (std::size_t i = 0; i < n; ++i) {
    lua_rawgeti(L, 3, static_cast<int>(i + 1));
    s.delays.push_back(static_cast<std::uint32_t>(luaL_checkinteger(L, -1)));
    lua_pop(L, 1);
  }
  s.index = 0;
  if (async)
    serout_step(d);
  else
    serout_sync(d);
  return 0;
}

}  // namespace

void drive_input(Device& device, int pin, int level) {
  Pin& p = gpio_state(device).pins[static_cast<std::size_t>(pin)];
  p.external = level != 0 ? 1 : 0;
  update(device, pin);
}

void release_input(Device& device, int pin) {
  gpio_state(device).pins[static_cast<std::size_t>(pin)].external.reset();
  update(device, pin);
}

int pin_level(Device& device, int pin) {
  const Pin& p = gpio_state(device).pins[static_cast<std::size_t>(pin)];
  if (p.wave) return p.wave->level_at(device.uptime());
  return pad_level(p, pin);
}

void platform_mode(Device& device, int pin, int mode, bool pullup) {
  set_mode(device, pin, mode, pullup);
}

void platform_write(Device& device, int pin, int level) {
  write_pin(device, pin, level);
}

void disable_output(Device& device, int pin) {
  gpio_state(device).pins[static_cast<std::size_t>(pin)].output_enabled = false;
  update(device, pin);
}

bool has_pullup(Device& device, int pin) {
  return pin != 0 && gpio_state(device).pins[static_cast<std::size_t>(pin)].pullup;
}

void on_mode_change(Device& device, std::function<void(int pin)> hook) {
  gpio_state(device).mode_hooks.push_back(std::move(hook));
}

void set_waveform(Device& device, int pin, std::optional<Waveform> wave) {
  Pin& p = gpio_state(device).pins[static_cast<std::size_t>(pin)];
  if (p.wave) {
    auto edges = wave_edges(*p.wave, p.level_before_wave, device.uptime(), k_history_max);
    for (const auto& e : edges) keep(p, e);
    if (!edges.empty()) p.level = edges.back().level;
  }
  p.wave = wave;
  p.level_before_wave = p.level;
}

std::vector<LevelChange> history(Device& device, int pin) {
  const Pin& p = gpio_state(device).pins[static_cast<std::size_t>(pin)];
  std::vector<LevelChange> out(p.history.begin(), p.history.end());
  if (p.wave) {
    auto edges = wave_edges(*p.wave, p.level_before_wave, device.uptime(), k_history_max);
    out.insert(out.end(), edges.begin(), edges.end());
    if (out.size() > k_history_max)
      out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(out.size() - k_history_max));
  }
  return out;
}

std::size_t history(Device& device, int pin, LevelChange* out, std::size_t room) {
  auto all = history(device, pin);
  if (out != nullptr) std::copy_n(all.begin(), std::min(room, all.size()), out);
  return out != nullptr ? std::min(room, all.size()) : all.size();
}

}  // namespace nodemcu_emu::modules::gpio

namespace nodemcu_emu::modules {

int open_gpio(lua_State* L) {
  using namespace gpio;
  static const luaL_Reg functions[] = {{"mode", gpio_mode},   {"read", gpio_read},
                                       {"write", gpio_write}, {"serout", gpio_serout},
                                       {"trig", gpio_trig},   {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  lua::set_constants(L, {{"INT", k_int},
                         {"OUTPUT", k_output},
                         {"OPENDRAIN", k_opendrain},
                         {"INPUT", k_input},
                         {"HIGH", 1},
                         {"LOW", 0},
                         {"FLOAT", 0},
                         {"PULLUP", 1}});
  return 1;
}

}  // namespace nodemcu_emu::modules
