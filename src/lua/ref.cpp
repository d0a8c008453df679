#include "lua/ref.hpp"

#include "lua/heap_budget.hpp"

namespace nodemcu_emu::lua {

namespace {
char k_life_key;  // its address is the registry key
}

StateLife* install_state_life(lua_State* L) {
  auto* life = new StateLife{L, 1};
  lua_pushlightuserdata(L, &k_life_key);
  lua_pushlightuserdata(L, life);
  lua_rawset(L, LUA_REGISTRYINDEX);
  return life;
}

void end_state_life(StateLife* life) {
  if (life == nullptr) return;
  life->L = nullptr;
  if (--life->holders == 0) delete life;
}

StateLife* state_life(lua_State* L) {
  lua_pushlightuserdata(L, &k_life_key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  void* p = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return static_cast<StateLife*>(p);
}

void release_state_life(StateLife* life) {
  if (--life->holders == 0) delete life;
}

void prepare_registry(lua_State* L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, 0);
  bool empty = lua_isnil(L, -1);
  lua_pop(L, 1);
  if (!empty) return;
  lua_pushinteger(L, 0);
  lua_rawseti(L, LUA_REGISTRYINDEX, 0);
}

int registry_ref(lua_State* L) {
  begin_all_or_nothing(L);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);
  end_all_or_nothing(L);
  return ref;
}

}  // namespace nodemcu_emu::lua
