#include "lua/ref.hpp"

#include "lua/heap_budget.hpp"

namespace nodemcu_emu::lua {

namespace {
char k_token_key;  // its address is the registry key
}

std::weak_ptr<void> state_token(lua_State* L) {
  lua_pushlightuserdata(L, &k_token_key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  void* p = lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (p == nullptr) return {};
  return *static_cast<std::shared_ptr<void>*>(p);
}

void install_state_token(lua_State* L, std::shared_ptr<void>* token) {
  lua_pushlightuserdata(L, &k_token_key);
  lua_pushlightuserdata(L, token);
  lua_rawset(L, LUA_REGISTRYINDEX);
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
