#include "lua/ref.hpp"

#include "lua/heap_budget.hpp"

namespace nodemcu_emu::lua {

namespace {
char k_life_key;  // its address is the registry key

// The last state asked about and its StateLife: every new socket's first callback asks, and a
// registry lookup by a light userdata key is a hash lookup (docs/performance.md, rr-close).
// Only lives still running are kept; end_state_life forgets its own.
thread_local lua_State* t_cached_state = nullptr;
thread_local StateLife* t_cached_life = nullptr;
}  // namespace

StateLife* install_state_life(lua_State* L) {
  auto* life = new StateLife{L, 1};
  lua_pushlightuserdata(L, &k_life_key);
  lua_pushlightuserdata(L, life);
  lua_rawset(L, LUA_REGISTRYINDEX);
  t_cached_state = L, t_cached_life = life;  // a new state may have an old one's address
  return life;
}

void end_state_life(StateLife* life) {
  if (life == nullptr) return;
  if (t_cached_life == life) t_cached_state = nullptr, t_cached_life = nullptr;
  life->L = nullptr;
  if (--life->holders == 0) delete life;
}

StateLife* state_life(lua_State* L) {
  if (L == t_cached_state) return t_cached_life;
  lua_pushlightuserdata(L, &k_life_key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  void* p = lua_touserdata(L, -1);
  lua_pop(L, 1);
  auto* life = static_cast<StateLife*>(p);
  if (life != nullptr) t_cached_state = L, t_cached_life = life;
  return life;
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
  StateLife* life = state_life(L);
  if (life != nullptr && life->free_refs != 0 && !lua_isnil(L, -1)) {
    int ref = life->free_refs;
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    life->free_refs = static_cast<int>(lua_tointeger(L, -1));
    lua_pop(L, 1);
    lua_rawseti(L, LUA_REGISTRYINDEX, ref);  // an existing key (it held a number): no allocation
    return ref;
  }
  begin_all_or_nothing(L);
  int ref = luaL_ref(L, LUA_REGISTRYINDEX);  // nil: LUA_REFNIL
  end_all_or_nothing(L);
  return ref;
}

void registry_unref(lua_State* L, int ref) {
  if (ref == LUA_NOREF || ref == LUA_REFNIL) return;
  StateLife* life = state_life(L);
  if (life == nullptr) {
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    return;
  }
  // A number in a slot that holds a value: the key exists, nothing is allocated.
  lua_pushinteger(L, life->free_refs);
  lua_rawseti(L, LUA_REGISTRYINDEX, ref);
  life->free_refs = ref;
}

}  // namespace nodemcu_emu::lua
