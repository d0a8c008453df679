// Typed userdata: a C++ object constructed in place inside a Lua userdata with a named metatable.
#pragma once

#include <new>
#include <utility>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

// Pushes the metatable new_class made for `name`. new_class also files it in the registry under
// the name's address (a light userdata): a method call, which checks its object's metatable,
// then costs a pointer hash instead of interning the name. A name at another address (a
// literal repeated elsewhere) is looked up by its text.
inline void push_metatable(lua_State* L, const char* name) {
  lua_pushlightuserdata(L, const_cast<char*>(name));
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (!lua_isnil(L, -1)) return;
  lua_pop(L, 1);
  luaL_getmetatable(L, name);
}

// lua_newuserdata may raise (out of memory), so `args` should own nothing: a longjmp would skip
// their destructors. For an object built from owning values, see new_userdata_from.
template <class T, class... Args>
T* new_userdata(lua_State* L, const char* metatable, Args&&... args) {
  void* mem = lua_newuserdata(L, sizeof(T));
  T* obj = new (mem) T(std::forward<Args>(args)...);
  push_metatable(L, metatable);
  lua_setmetatable(L, -2);
  return obj;
}

// The same for an object made from values that own resources (a shared_ptr to a native
// object): the Lua memory is allocated first, then `make()` (which must not raise a Lua error)
// returns what T is constructed from. Nothing owning exists while Lua may raise.
template <class T, class Make>
T* new_userdata_from(lua_State* L, const char* metatable, Make&& make) {
  void* mem = lua_newuserdata(L, sizeof(T));
  T* obj = new (mem) T(make());
  push_metatable(L, metatable);  // no allocation
  lua_setmetatable(L, -2);
  return obj;
}

// The object at `index` if it is a userdata with that metatable, else nullptr.
template <class T>
T* test_userdata(lua_State* L, int index, const char* metatable) {
  void* p = lua_touserdata(L, index);
  if (p == nullptr || !lua_getmetatable(L, index)) return nullptr;
  push_metatable(L, metatable);
  bool same = lua_rawequal(L, -1, -2) != 0;
  lua_pop(L, 2);
  return same ? static_cast<T*>(p) : nullptr;
}

// Whether the value at `index` is a full userdata whose metatable is the calling function's
// upvalue 1 (what new_class gives its functions); false too when the function has none.
inline bool class_upvalue_is(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TUSERDATA || !lua_getmetatable(L, index)) return false;
  bool same = lua_rawequal(L, -1, lua_upvalueindex(1)) != 0;
  lua_pop(L, 1);
  return same;
}

// Whether arg 1 is an object whose metatable's __gc is `gc`. The collector calls __gc once per
// object, but a script can fetch it (getmetatable(obj).__gc) and call it with anything, or
// twice: only a full userdata finalized by `gc` is an object of the type `gc` destroys.
inline bool is_finalized_by(lua_State* L, lua_CFunction gc) {
  // The collector's own call first: a __gc made by new_class has its class's metatable as
  // upvalue 1, and an object with that metatable is one it destroys (no field to look up: a
  // socket's __gc runs once per connection, docs/performance.md).
  if (class_upvalue_is(L, 1)) return true;
  if (lua_type(L, 1) != LUA_TUSERDATA || !lua_getmetatable(L, 1)) return false;
  lua_pushliteral(L, "__gc");  // a tag method name: interned for good, no allocation
  lua_rawget(L, -2);
  bool ours = lua_tocfunction(L, -1) == gc;
  lua_pop(L, 2);
  return ours;
}

// The object a __gc metamethod `gc` is to destroy, or nullptr when the call is not for one (see
// is_finalized_by). Its metatable is removed first: the collector does not finalize it again,
// and every method then refuses it as a wrong type instead of using a destroyed object.
template <class T>
T* take_for_gc(lua_State* L, lua_CFunction gc) {
  if (!is_finalized_by(L, gc)) return nullptr;
  lua_pushnil(L);
  lua_setmetatable(L, 1);
  return static_cast<T*>(lua_touserdata(L, 1));
}

// __gc for objects whose destructor releases everything they own.
template <class T>
int destroy_userdata(lua_State* L) {
  if (T* obj = take_for_gc<T>(L, destroy_userdata<T>)) obj->~T();
  return 0;
}

// Creates a named metatable: entries named "__x" go into it, the others into a separate method
// table that is its __index (so a script cannot call t:__gc() and destroy an object twice).
inline void new_class(lua_State* L, const char* name, const luaL_Reg* functions) {
  luaL_newmetatable(L, name);
  lua_pushlightuserdata(L, const_cast<char*>(name));  // see push_metatable
  lua_pushvalue(L, -2);
  lua_rawset(L, LUA_REGISTRYINDEX);
  lua_newtable(L);
  for (const luaL_Reg* f = functions; f->name != nullptr; ++f) {
    bool meta = f->name[0] == '_' && f->name[1] == '_';
    // The metatable as upvalue 1: a method checks its object against it (class_upvalue_is)
    // without a registry lookup per call.
    lua_pushvalue(L, -2);
    lua_pushcclosure(L, f->func, 1);
    lua_setfield(L, meta ? -3 : -2, f->name);
  }
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

}  // namespace nodemcu_emu::lua
