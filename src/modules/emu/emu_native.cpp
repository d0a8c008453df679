// The native half of the `emu` test helper (lua/emu.lua): facts about the emulator itself
// that no firmware module reports. Not a device module: it is only reachable through require.
#include <unistd.h>

#include <climits>

#include "core/device.hpp"
#include "lua/ref.hpp"

namespace nodemcu_emu::modules {

void register_emu_attach(lua_State* L);  // emu_attach.cpp

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

// set_case_error_hook(fn | nil): while a case runs, errors in callbacks that would reboot the
// device go to fn (core::Device::set_case_error_hook) and fail that case instead.
int set_case_error_hook(lua_State* L) {
  core::Device::from(L).set_case_error_hook(lua_isfunction(L, 1) ? lua::Ref(L, 1) : lua::Ref());
  return 0;
}

// The emulator's own executable (/proc/self/exe), so that emu.run can start another device
// without $NODEMCU_EMU; nil where the kernel does not say.
int executable(lua_State* L) {
  char path[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof path) {
    lua_pushnil(L);
  } else {
    lua_pushlstring(L, path, static_cast<std::size_t>(n));
  }
  return 1;
}

int open_emu_native(lua_State* L) {
  static const luaL_Reg functions[] = {{"live_objects", live_objects},
                                       {"clock", clock_seconds},
                                       {"set_case_error_hook", set_case_error_hook},
                                       {"executable", executable},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

// `require "emu.board"`: emu.attach's half (lua/emu_attach.lua), apart so that tests that
// attach nothing do not pay for it in the device's heap.
int open_emu_board(lua_State* L) {
  lua_newtable(L);
  register_emu_attach(L);
  return 1;
}
}  // namespace

// Registers `require "emu.native"` and `require "emu.board"`.
void preload_emu_native(lua_State* L) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, open_emu_native);
  lua_setfield(L, -2, "emu.native");
  lua_pushcfunction(L, open_emu_board);
  lua_setfield(L, -2, "emu.board");
  lua_pop(L, 2);
}

}  // namespace nodemcu_emu::modules
