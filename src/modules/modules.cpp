#include "modules/modules.hpp"

#include "core/device.hpp"

namespace nodemcu_emu::modules {

// One luaopen-style function per module; each leaves its table in the global of its name.
int open_adc(lua_State* L);
int open_bit(lua_State* L);
int open_cjson(lua_State* L);
int open_crypto(lua_State* L);
int open_dht(lua_State* L);
int open_emu_gpio(lua_State* L);  // emulator-only test hook (docs/gpio.md)
int open_encoder(lua_State* L);
int open_file(lua_State* L);
int open_gpio(lua_State* L);
int open_i2c(lua_State* L);
int open_mqtt(lua_State* L);
int open_net(lua_State* L);
int open_node(lua_State* L);
int open_ow(lua_State* L);
int open_pipe(lua_State* L);  // 3.x only
int open_pixbuf(lua_State* L);  // 3.x only
int open_pwm(lua_State* L);
int open_pwm2(lua_State* L);  // 3.x only
int open_rtcmem(lua_State* L);
int open_rtctime(lua_State* L);
int open_sjson(lua_State* L);
int open_sntp(lua_State* L);
int open_spi(lua_State* L);
int open_tmr(lua_State* L);
int open_uart(lua_State* L);
int open_wifi(lua_State* L);
int open_ws2812(lua_State* L);

void preload_emu_native(lua_State* L);

namespace {
// Bit p set: the module exists under firmware profile p (1.5.4.1 had cjson, not sjson).
constexpr unsigned k_all = 0b1110, k_v1_only = 0b0010, k_from_v2 = 0b1100, k_from_v3 = 0b1000;

struct Module {
  const char* name;
  lua_CFunction open;
  unsigned profiles = k_all;
};
constexpr Module k_modules[] = {
    {"adc", open_adc},
    {"bit", open_bit},
    {"crypto", open_crypto},
    {"dht", open_dht},
    {"emu_gpio", open_emu_gpio},
    {"encoder", open_encoder},
    {"file", open_file},
    {"gpio", open_gpio},
    {"i2c", open_i2c},
    {"mqtt", open_mqtt},
    {"net", open_net},
    {"node", open_node},
    {"ow", open_ow},
    {"pipe", open_pipe, k_from_v3},  // app/modules/pipe.c appeared after 2.2.1
    {"pixbuf", open_pixbuf, k_from_v3},  // app/modules/pixbuf.c appeared after 2.2.1
    {"pwm", open_pwm},
    {"pwm2", open_pwm2, k_from_v3},  // app/modules/pwm2.c appeared after 2.2.1
    {"rtcmem", open_rtcmem},
    {"rtctime", open_rtctime},
    {"cjson", open_cjson, k_v1_only},
    {"sjson", open_sjson, k_from_v2},
    {"sntp", open_sntp},
    {"spi", open_spi},
    {"tmr", open_tmr},
    {"uart", open_uart},
    {"wifi", open_wifi},
    {"ws2812", open_ws2812},
};
}  // namespace

void open_all(lua_State* L) {
  preload_emu_native(L);
  const unsigned profile = 1u << core::Device::from(L).options().firmware;
  for (const auto& m : k_modules) {
    if (!(m.profiles & profile)) continue;
    lua_pushcfunction(L, m.open);
    lua_call(L, 0, 1);
    // Globals as on the device, and in package.loaded so `require "tmr"` works too.
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "loaded");
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, m.name);
    lua_pop(L, 2);
    lua_setglobal(L, m.name);
  }
}

}  // namespace nodemcu_emu::modules
