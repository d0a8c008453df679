// Typed userdata: a C++ object constructed in place inside a Lua userdata with a named metatable.
#pragma once

#include <new>
#include <utility>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

template <class T, class... Args>
T* new_userdata(lua_State* L, const char* metatable, Args&&... args) {
  void* mem = lua_newuserdata(L, sizeof(T));
  T* obj = new (mem) T(std::forward<Args>(args)...);
  luaL_getmetatable(L, metatable);
  lua_setmetatable(L, -2);
  return obj;
}

// The object at `index` if it is a userdata with that metatable, else nullptr.
template <class T>
T* test_userdata(lua_State* L, int index, const char* metatable) {
  void* p = lua_touserdata(L, index);
  if (p == nullptr || !lua_getmetatable(L, index)) return nullptr;
  luaL_getmetatable(L, metatable);
  bool same = lua_rawequal(L, -1, -2) != 0;
  lua_pop(L, 2);
  return same ? static_cast<T*>(p) : nullptr;
}

// __gc for objects whose destructor releases everything they own.
template <class T>
int destroy_userdata(lua_State* L) {
  static_cast<T*>(lua_touserdata(L, 1))->~T();
  return 0;
}

// Creates a named metatable: entries named "__x" go into it, the others into a separate method
// table that is its __index (so a script cannot call t:__gc() and destroy an object twice).
inline void new_class(lua_State* L, const char* name, const luaL_Reg* functions) {
  luaL_newmetatable(L, name);
  lua_newtable(L);
  for (const luaL_Reg* f = functions; f->name != nullptr; ++f) {
    bool meta = f->name[0] == '_' && f->name[1] == '_';
    lua_pushcfunction(L, f->func);
    lua_setfield(L, meta ? -3 : -2, f->name);
  }
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

}  // namespace nodemcu_emu::lua
