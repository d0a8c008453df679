// pwm2 (3.x: pwm2.c, driver/pwm2.c): software PWM on timer1, per-pin frequency and resolution.
// The driver's bookkeeping is reproduced so that get_pin_data/get_timer_data answer as on the
// chip (CPU at 80 MHz); the pins' waveform itself is not simulated: started pins with duty 0 or
// full read 0 or 1, the trace shows each duty.
#include <cstdint>
#include <numeric>

#include "core/device.hpp"
#include "modules/gpio/gpio_state.hpp"

namespace nodemcu_emu::modules::pwm2 {

namespace {

using core::Device;

constexpr std::uint32_t k_cpu_hz = 80000000;  // system_get_cpu_freq() 80
constexpr std::uint32_t k_timer_divisor = 16;  // PWM2_TMR_MAGIC_80MHZ
constexpr int k_gpio_pin_num = 13;

struct PinSetup {
  std::uint32_t resolutions = 0, divisable_freq = 0, freq_divisor = 0, duty = 0;
  std::uint32_t cpu_ticks = 0, multiplier = 0;
};

struct Pwm2State {
  explicit Pwm2State(Device&) {}
  // pin[GPIO_PIN_NUM] on the chip; the binding lets pin 13 through (pin <= GPIO_PIN_NUM), so
  // one more slot here stands for the memory the driver would write past its array.
  PinSetup pin[k_gpio_pin_num + 1];
  std::uint32_t timer_cpu_ticks = 0, timer_ticks = 0;
  bool started = false;
};

Pwm2State& state(Device& d) {
  return d.module_state<Pwm2State>();
}

void recalculate(Pwm2State& s) {
  std::uint32_t gcd = 0;
  for (int i = 1; i < k_gpio_pin_num; ++i)
    if (s.pin[i].resolutions > 0) gcd = gcd == 0 ? s.pin[i].cpu_ticks : std::gcd(s.pin[i].cpu_ticks, gcd);
  s.timer_cpu_ticks = gcd;
  s.timer_ticks = gcd / k_timer_divisor;
  for (int i = 1; i < k_gpio_pin_num; ++i)
    if (s.pin[i].resolutions > 0)  // the chip divides by zero when every pin's ticks are 0
      s.pin[i].multiplier = gcd == 0 ? 0 : s.pin[i].cpu_ticks / gcd;
}

void show(Device& d, int pin) {
  Pwm2State& s = state(d);
  const PinSetup& p = s.pin[pin];
  if (!s.started || p.resolutions == 0 || pin >= k_gpio_pin_num) return;
  if (p.duty == 0) gpio::platform_write(d, pin, 0);
  if (p.duty == p.resolutions) gpio::platform_write(d, pin, 1);
  if (d.trace().enabled())
    d.trace().emit(d.loop().now(), "pwm2", "duty",
                   {{"pin", pin}, {"duty", static_cast<long long>(p.duty)},
                    {"resolution", static_cast<long long>(p.resolutions)}});
}

int argerror(lua_State* L, int arg, const char* message) {
  return luaL_argerror(L, arg, message);
}

int setup_pin(lua_State* L, bool hz) {
  Pwm2State& s = state(Device::from(L));
  if (s.started) return luaL_error(L, "pwm2 : already started, stop it before setting up pins.");
  auto pin = static_cast<int>(lua_tointeger(L, 1));
  auto freq = static_cast<int>(lua_tointeger(L, 2));
  auto resolution = static_cast<int>(lua_tointeger(L, 3));
  auto duty = static_cast<int>(lua_tointeger(L, 4));
  auto fractions = static_cast<int>(luaL_optinteger(L, 5, 1));
  if (!(pin > 0 && pin <= k_gpio_pin_num)) return argerror(L, 1, "invalid pin number");
  if (!(freq > 0)) return argerror(L, 2, "invalid frequency");
  if (!(resolution > 0)) return argerror(L, 3, "invalid frequency resolution");
  if (!(duty >= 0 && duty <= resolution)) return argerror(L, 4, "invalid duty");
  if (!(fractions > 0)) return argerror(L, 5, "invalid frequency fractions");
  PinSetup& p = s.pin[pin];
  p.resolutions = static_cast<std::uint32_t>(resolution);
  p.divisable_freq = static_cast<std::uint32_t>(hz ? fractions : freq);
  p.freq_divisor = static_cast<std::uint32_t>(hz ? freq : fractions);
  std::uint64_t per = static_cast<std::uint64_t>(p.freq_divisor) * p.resolutions;
  p.cpu_ticks = static_cast<std::uint32_t>((k_cpu_hz / per) * p.divisable_freq);
  recalculate(s);
  p.duty = static_cast<std::uint32_t>(duty);
  return 0;
}

int lpwm2_setup_pin_hz(lua_State* L) {
  return setup_pin(L, true);
}

int lpwm2_setup_pin_sec(lua_State* L) {
  return setup_pin(L, false);
}

int lpwm2_set_duty(lua_State* L) {
  Device& d = Device::from(L);
  for (int pos = 1;; pos += 2) {
    auto pin = static_cast<int>(luaL_optinteger(L, pos, -1));
    if (pin == -1) break;
    if (!(pin > 0 && pin <= k_gpio_pin_num)) return argerror(L, pos, "invalid pin number");
    auto duty = static_cast<int>(luaL_optinteger(L, pos + 1, -1));
    PinSetup& p = state(d).pin[pin];
    if (!(duty >= 0 && static_cast<std::uint32_t>(duty) <= p.resolutions))
      return argerror(L, pos + 1, "invalid duty");
    if (p.resolutions == 0) return luaL_error(L, "pwm2 : pin=%d is not setup yet", pin);
    p.duty = static_cast<std::uint32_t>(duty);
    show(d, pin);
  }
  return 0;
}

int lpwm2_release_pin(lua_State* L) {
  Pwm2State& s = state(Device::from(L));
  if (s.started) return luaL_error(L, "pwm2 : pwm is started, stop it first.");
  for (int pos = 1;; ++pos) {
    auto pin = static_cast<int>(luaL_optinteger(L, pos, -1));
    if (pin == -1) break;
    if (!(pin > 0 && pin <= k_gpio_pin_num)) return argerror(L, pos, "invalid pin number");
    // pwm2.c releases pin 2 whatever pin was named (pwm2_release_pin(2)); so does this.
    s.pin[2].resolutions = 0;
  }
  return 0;
}

int lpwm2_start(lua_State* L) {
  Device& d = Device::from(L);
  Pwm2State& s = state(d);
  if (!s.started) {
    s.started = true;
    for (int i = 1; i < k_gpio_pin_num; ++i) {
      if (s.pin[i].resolutions == 0) continue;
      gpio::platform_mode(d, i, gpio::k_output, true);
      show(d, i);
    }
  }
  lua_pushboolean(L, 1);  // timer1 is never taken by another module here
  return 1;
}

int lpwm2_stop(lua_State* L) {
  Device& d = Device::from(L);
  Pwm2State& s = state(d);
  if (!s.started) return 0;
  for (int i = 1; i < k_gpio_pin_num; ++i)
    if (s.pin[i].resolutions > 0) gpio::disable_output(d, i);
  s.started = false;
  return 0;
}

int lpwm2_get_timer_data(lua_State* L) {
  Pwm2State& s = state(Device::from(L));
  lua_pushboolean(L, s.started);
  lua_pushinteger(L, s.timer_cpu_ticks);
  lua_pushinteger(L, s.timer_ticks);
  return 3;
}

int lpwm2_get_pin_data(lua_State* L) {
  auto pin = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
  if (!(pin > 0 && pin <= k_gpio_pin_num)) return argerror(L, 1, "invalid pin number");
  const PinSetup& p = state(Device::from(L)).pin[pin];
  lua_pushinteger(L, p.resolutions > 0 ? 1 : 0);
  lua_pushinteger(L, p.duty);
  lua_pushinteger(L, p.resolutions);
  lua_pushinteger(L, p.divisable_freq);
  lua_pushinteger(L, p.freq_divisor);
  lua_pushinteger(L, p.cpu_ticks);
  lua_pushinteger(L, p.multiplier);
  return 7;
}

}  // namespace

}  // namespace nodemcu_emu::modules::pwm2

namespace nodemcu_emu::modules {

int open_pwm2(lua_State* L) {
  using namespace pwm2;
  static const luaL_Reg functions[] = {{"setup_pin_hz", lpwm2_setup_pin_hz},
                                       {"setup_pin_sec", lpwm2_setup_pin_sec},
                                       {"release_pin", lpwm2_release_pin},
                                       {"start", lpwm2_start},
                                       {"stop", lpwm2_stop},
                                       {"set_duty", lpwm2_set_duty},
                                       {"get_timer_data", lpwm2_get_timer_data},
                                       {"get_pin_data", lpwm2_get_pin_data},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
