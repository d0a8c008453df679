// pwm (pwm.c, platform.c, driver/pwm.c): the SDK's PWM on up to 6 pins sharing one frequency.
// A duty of 0 or 1023 sets the pad's level; a duty in between is a square wave on the pin
// (gpio::Waveform) whose edges are computed when a test reads the pin's history or level, not
// toggled by timers. gpio.mode, ow.setup, ... on a PWM pin give it up, as platform_gpio_mode does.
#include <algorithm>
#include <optional>

#include "core/device.hpp"
#include "modules/gpio/gpio_state.hpp"
#include "modules/pwm/pwm_channels.hpp"

namespace nodemcu_emu::modules::pwm {

namespace {

using core::Device;

struct PwmState {
  explicit PwmState(Device&) {}
  PwmChannels channels;
};

PwmChannels& channels(Device& device) {
  return device.module_state<PwmState>().channels;
}

constexpr const char* k_no_pwm_for_d0 = "no pwm for D0";
constexpr const char* k_does_not_exist = "pwm %d does not exist";  // MOD_CHECK_ID(pwm, id)
constexpr const char* k_wrong_arg_range = "wrong arg range";
constexpr const char* k_too_many = "too many pwms.";
constexpr const char* k_unable_to_start = "Unable to start PWM output";

bool pwm_exists(unsigned id) {
  return id > 0 && id < static_cast<unsigned>(k_pins);
}

unsigned check_id(lua_State* L) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  if (!pwm_exists(id)) luaL_error(L, k_does_not_exist, static_cast<int>(id));
  return id;
}

// DUTY(d): the platform's duty scaled to the driver's (both 1023), in 32-bit unsigned math.
std::uint32_t scaled(std::uint32_t d) {
  return static_cast<std::uint16_t>((d * k_depth) / k_depth);
}

// The wave a duty between 0 and full puts out at `freq`: high for duty/1023 of each period (at
// least 1 µs high and 1 µs low: the emulator's time resolution), from now.
std::optional<gpio::Waveform> wave_for(Device& d, unsigned duty, unsigned freq) {
  if (duty == 0 || duty >= k_depth) return std::nullopt;
  core::Micros period(1000000 / freq);
  core::Micros high = std::clamp(period * duty / k_depth, core::Micros(1), period - core::Micros(1));
  return gpio::Waveform{d.uptime(), period, high};
}

// pwm_start: the new duty reaches the pin.
void output(Device& d, int pin, std::uint32_t duty) {
  PwmChannels& c = channels(d);
  unsigned v = c.set_output(pin, duty);
  gpio::set_waveform(d, pin, wave_for(d, v, c.freq()));
  if (v == 0) gpio::platform_write(d, pin, 0);
  if (v == k_depth) gpio::platform_write(d, pin, 1);
  if (d.trace().enabled())
    d.trace().emit(d.loop().now(), "pwm", "duty",
                   {{"pin", pin}, {"duty", static_cast<int>(v)}, {"freq", static_cast<int>(c.freq())}});
}

int lpwm_setup(lua_State* L) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  if (id == 0) return luaL_error(L, k_no_pwm_for_d0);
  if (!pwm_exists(id)) return luaL_error(L, k_does_not_exist, static_cast<int>(id));
  auto freq = static_cast<std::int32_t>(luaL_checkinteger(L, 2));
  if (freq <= 0) return luaL_error(L, k_wrong_arg_range);
  auto duty = static_cast<unsigned>(luaL_checkinteger(L, 3));
  if (duty > k_depth) return luaL_error(L, k_wrong_arg_range);  // negatives wrap above it
  Device& d = Device::from(L);
  int pin = static_cast<int>(id);
  gpio::platform_mode(d, pin, gpio::k_output, false);  // gives the pin up first
  PwmChannels& c = channels(d);
  if (!c.add(pin)) return luaL_error(L, k_too_many);
  c.store(pin, static_cast<std::uint16_t>(duty));
  c.set_freq(static_cast<std::uint32_t>(freq));
  output(d, pin, 0);  // silent until pwm.start
  lua_pushinteger(L, c.freq());
  return 1;
}

// pwm_delete: the channel goes; the pad stays where the wave left it.
void give_up(Device& d, int pin) {
  if (!channels(d).exists(pin)) return;
  channels(d).remove(pin);
  gpio::set_waveform(d, pin, std::nullopt);
}

int lpwm_close(lua_State* L) {
  unsigned id = check_id(L);
  give_up(Device::from(L), static_cast<int>(id));
  return 0;
}

int lpwm_start(lua_State* L) {
  unsigned id = check_id(L);
  Device& d = Device::from(L);
  int pin = static_cast<int>(id);
  if (!channels(d).exists(pin)) return luaL_error(L, k_unable_to_start);
  output(d, pin, scaled(channels(d).stored(pin)));
  return 0;
}

int lpwm_stop(lua_State* L) {
  unsigned id = check_id(L);
  Device& d = Device::from(L);
  if (channels(d).exists(static_cast<int>(id))) output(d, static_cast<int>(id), 0);
  return 0;
}

int lpwm_setclock(lua_State* L) {
  unsigned id = check_id(L);
  auto clk = static_cast<std::int32_t>(luaL_checkinteger(L, 2));
  if (clk <= 0) return luaL_error(L, k_wrong_arg_range);
  PwmChannels& c = channels(Device::from(L));
  if (!c.exists(static_cast<int>(id))) {
    lua_pushinteger(L, 0);
    return 1;
  }
  c.set_freq(static_cast<std::uint32_t>(clk));  // one frequency: every channel changes
  Device& d = Device::from(L);
  for (int pin = 1; pin < k_pins; ++pin)  // platform_pwm_set_clock restarts them: pwm_start()
    if (c.exists(pin) && c.output(pin) != 0) output(d, pin, c.output(pin));
  lua_pushinteger(L, c.freq());
  return 1;
}

int lpwm_getclock(lua_State* L) {
  unsigned id = check_id(L);
  PwmChannels& c = channels(Device::from(L));
  lua_pushinteger(L, c.exists(static_cast<int>(id)) ? c.freq() : 0);
  return 1;
}

int lpwm_setduty(lua_State* L) {
  unsigned id = check_id(L);
  auto duty = static_cast<std::int32_t>(luaL_checkinteger(L, 2));
  if (duty > static_cast<std::int32_t>(k_depth)) return luaL_error(L, k_wrong_arg_range);
  Device& d = Device::from(L);
  int pin = static_cast<int>(id);
  PwmChannels& c = channels(d);
  if (!c.exists(pin)) {
    lua_pushinteger(L, 0);
    return 1;
  }
  // A negative duty passes the check and wraps in the driver's unsigned math.
  output(d, pin, scaled(static_cast<std::uint32_t>(duty)));
  c.store(pin, static_cast<std::uint16_t>(c.output(pin)));
  lua_pushinteger(L, c.stored(pin));
  return 1;
}

int lpwm_getduty(lua_State* L) {
  unsigned id = check_id(L);
  PwmChannels& c = channels(Device::from(L));
  lua_pushinteger(L, c.exists(static_cast<int>(id)) ? c.stored(static_cast<int>(id)) : 0);
  return 1;
}

}  // namespace

}  // namespace nodemcu_emu::modules::pwm

namespace nodemcu_emu::modules {

int open_pwm(lua_State* L) {
  using namespace pwm;
  static const luaL_Reg functions[] = {
      {"setup", lpwm_setup},       {"close", lpwm_close},       {"start", lpwm_start},
      {"stop", lpwm_stop},         {"setclock", lpwm_setclock}, {"getclock", lpwm_getclock},
      {"setduty", lpwm_setduty},   {"getduty", lpwm_getduty},   {nullptr, nullptr}};
  core::Device& d = core::Device::from(L);
  // platform_gpio_mode closes the pin's PWM channel (platform.c).
  gpio::on_mode_change(d, [&d](int pin) { give_up(d, pin); });
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
