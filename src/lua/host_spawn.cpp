#include "lua/host_spawn.hpp"

#include "core/close_on_exec.hpp"

namespace nodemcu_emu::lua {

namespace {
// Upvalue 1: the library's own function, called with every argument.
int spawn_without_descriptors(lua_State* L) {
  core::close_on_exec_from(3);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

void wrap(lua_State* L, const char* lib, const char* name) {
  lua_getglobal(L, lib);
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, spawn_without_descriptors, 1);
    lua_setfield(L, -2, name);
  }
  lua_pop(L, 1);
}
}  // namespace

void close_descriptors_in_children(lua_State* L) {
  wrap(L, "io", "popen");
  wrap(L, "os", "execute");
}

}  // namespace nodemcu_emu::lua
