#include "lua/ref.hpp"

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

}  // namespace nodemcu_emu::lua
