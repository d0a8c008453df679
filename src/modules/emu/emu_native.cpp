// The native half of the `emu` test helper (lua/emu.lua): facts about the emulator itself
// that no firmware module reports. Not a device module: it is only reachable through require.
#include "core/device.hpp"

namespace nodemcu_emu::modules {

namespace {
// Native objects (TCP/UDP sockets, servers) still alive, whatever Lua holds.
int live_objects(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(core::Device::from(L).live_natives()));
  return 1;
}

// The Clock in seconds (virtual or real), for tests that measure elapsed device time.
int clock_seconds(lua_State* L) {
  lua_pushnumber(L, static_cast<lua_Number>(core::Device::from(L).loop().now().count()) / 1e6);
  return 1;
}

int open_emu_native(lua_State* L) {
  static const luaL_Reg functions[] = {
      {"live_objects", live_objects}, {"clock", clock_seconds}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}
}  // namespace

// Registers `require "emu.native"`.
void preload_emu_native(lua_State* L) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, open_emu_native);
  lua_setfield(L, -2, "emu.native");
  lua_pop(L, 2);
}

}  // namespace nodemcu_emu::modules
