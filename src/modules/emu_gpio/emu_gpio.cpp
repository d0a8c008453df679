// emu_gpio: an emulator-only test hook, not a firmware module. It plays the world outside the
// chip: emu_gpio.drive(pin, level) drives an input pin (a button, another chip's output) and
// emu_gpio.drive(pin, nil) lets it float again. gpio.read and gpio.trig then see it as on the
// device (docs/gpio.md). emu_gpio.history(pin) lists the pin's level changes, whoever made them
// (gpio.write, serout, pwm, the dht and ws2812 drivers, drive()).
#include "core/device.hpp"
#include "modules/gpio/gpio_state.hpp"

namespace nodemcu_emu::modules {

namespace {

int emu_gpio_drive(lua_State* L) {
  lua_Integer pin = luaL_checkinteger(L, 1);
  luaL_argcheck(L, pin >= 0 && pin < gpio::k_pin_count, 1, "Invalid pin");
  core::Device& d = core::Device::from(L);
  if (lua_isnoneornil(L, 2)) {
    gpio::release_input(d, static_cast<int>(pin));
    return 0;
  }
  lua_Integer level = luaL_checkinteger(L, 2);
  luaL_argcheck(L, level == 0 || level == 1, 2, "level must be 0, 1 or nil");
  gpio::drive_input(d, static_cast<int>(pin), static_cast<int>(level));
  return 0;
}

// { {us, level}, ... }: the pin's level changes, oldest first, at device uptime in µs (the
// clock tmr.now() reads). The newest k_history_max are kept.
int emu_gpio_history(lua_State* L) {
  lua_Integer pin = luaL_checkinteger(L, 1);
  luaL_argcheck(L, pin >= 0 && pin < gpio::k_pin_count, 1, "Invalid pin");
  core::Device& d = core::Device::from(L);
  // Copied into Lua-owned memory first: the table's pushes may raise (out of memory), and no
  // C++ object may be alive then.
  std::size_t n = gpio::history(d, static_cast<int>(pin), nullptr, 0);
  auto* changes =
      static_cast<gpio::LevelChange*>(lua_newuserdata(L, sizeof(gpio::LevelChange) * (n + 1)));
  n = gpio::history(d, static_cast<int>(pin), changes, n);
  lua_createtable(L, static_cast<int>(n), 0);
  for (std::size_t i = 0; i < n; ++i) {
    lua_createtable(L, 2, 0);
    lua_pushnumber(L, static_cast<lua_Number>(changes[i].at.count()));
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, changes[i].level);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  return 1;
}

}  // namespace

int open_emu_gpio(lua_State* L) {
  static const luaL_Reg functions[] = {
      {"drive", emu_gpio_drive}, {"history", emu_gpio_history}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
