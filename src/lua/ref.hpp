// RAII registry reference: a callback, a self-anchor. Released exactly once, by reset() or the
// destructor. Owners release their refs in __gc / close, which always runs before lua_close ends.
#pragma once

#include <utility>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

class Ref {
 public:
  Ref() = default;
  // References the value at `index`.
  Ref(lua_State* L, int index) : L_(L) {
    lua_pushvalue(L, index);
    ref_ = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  Ref(Ref&& o) noexcept : L_(std::exchange(o.L_, nullptr)), ref_(std::exchange(o.ref_, LUA_NOREF)) {}
  Ref& operator=(Ref&& o) noexcept {
    if (this != &o) {
      reset();
      L_ = std::exchange(o.L_, nullptr);
      ref_ = std::exchange(o.ref_, LUA_NOREF);
    }
    return *this;
  }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { reset(); }

  void reset() {
    if (L_ && ref_ != LUA_NOREF && ref_ != LUA_REFNIL) luaL_unref(L_, LUA_REGISTRYINDEX, ref_);
    L_ = nullptr;
    ref_ = LUA_NOREF;
  }
  explicit operator bool() const { return L_ != nullptr && ref_ != LUA_NOREF && ref_ != LUA_REFNIL; }
  // Pushes the value (nil when empty); returns whether there was one.
  bool push(lua_State* L) const {
    if (!*this) {
      lua_pushnil(L);
      return false;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref_);
    return true;
  }

 private:
  lua_State* L_ = nullptr;
  int ref_ = LUA_NOREF;
};

}  // namespace nodemcu_emu::lua
