// adc (adc.c): the chip's one ADC channel. The esp init data (byte 107) decides whether it
// samples the TOUT pin (adc.read) or the supply voltage (adc.readvdd33); the other function
// then returns 65535, as the SDK does. --adc N sets what the pin reads, --adc vdd33 boots with
// the ADC measuring the supply.
#include <cstdint>

#include "core/console.hpp"
#include "core/device.hpp"
#include "lua/fields.hpp"
#include "modules/adc/adc_errors.hpp"

namespace adc_errors = nodemcu_emu::modules::adc::errors;

namespace nodemcu_emu::modules {

namespace {

using core::Device;

constexpr lua_Integer k_init_adc = 0x00;    // adc.INIT_ADC
constexpr lua_Integer k_init_vdd33 = 0xff;  // adc.INIT_VDD33
constexpr lua_Integer k_unavailable = 65535;
constexpr lua_Integer k_supply_mv = 3300;

int adc_read(lua_State* L) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  // MOD_CHECK_ID(adc, id): the chip has one channel.
  if (id != 0) return luaL_error(L, adc_errors::k_adc_does_not_exist, static_cast<int>(id));
  const Options& o = Device::from(L).options();
  lua_pushinteger(L, o.adc_vdd33 ? k_unavailable : o.adc_value);
  return 1;
}

int adc_readvdd33(lua_State* L) {
  lua_pushinteger(L, Device::from(L).options().adc_vdd33 ? k_supply_mv : k_unavailable);
  return 1;
}

// The firmware rewrites byte 107 of the init data in flash and the caller restarts. The
// emulator's init data comes from --adc and cannot be rewritten (a restart would bring the old
// mode back and the usual "if force_init_mode() then node.restart() end" would loop): it answers
// false, and says so on stderr when the script asked for the other mode.
int adc_force_init_mode(lua_State* L) {
  auto byte107 = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));
  luaL_argcheck(L, static_cast<std::uint8_t>(byte107 + 1) < 2, 1, "Invalid mode");
  bool vdd33 = Device::from(L).options().adc_vdd33;
  bool wants_vdd33 = byte107 == k_init_vdd33;
  if (wants_vdd33 != vdd33)
    core::Console::diagnostic(std::string("nodemcu-emu: adc.force_init_mode cannot rewrite the "
                                          "emulated init data; run with ") +
                              (wants_vdd33 ? "--adc vdd33" : "--adc N") + " instead");
  lua_pushboolean(L, 0);
  return 1;
}

}  // namespace

int open_adc(lua_State* L) {
  static const luaL_Reg functions[] = {{"read", adc_read},
                                       {"readvdd33", adc_readvdd33},
                                       {"force_init_mode", adc_force_init_mode},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  lua::set_constants(L, {{"INIT_ADC", k_init_adc}, {"INIT_VDD33", k_init_vdd33}});
  return 1;
}

}  // namespace nodemcu_emu::modules
