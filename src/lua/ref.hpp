// RAII registry reference: a callback, a self-anchor. Released exactly once, by reset() or the
// destructor. Owners release their refs in __gc / close. A Ref that outlives its lua_State (a
// callback captured by a network handler still pending at reboot) releases nothing: it holds
// the state's token, which expires when the state closes.
#pragma once

#include <memory>
#include <utility>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

// The token of a state (empty for states without one, e.g. in unit tests: such a state must
// outlive its Refs). install_state_token stores a pointer to `token`, which must outlive L.
std::weak_ptr<void> state_token(lua_State* L);
// luaL_ref into the registry that never leaves it half-resized (lua/heap_budget.hpp).
int registry_ref(lua_State* L);
// Makes luaL_unref allocation-free, so that releasing a Ref never raises: Lua 5.1 keeps the
// head of the free list in registry[0] and starts with it nil, so the first luaL_unref stores
// nil in the freed slot and registry[0] comes and goes. When the collector has dropped that
// key, the next luaL_unref must insert it again, which allocates; "not enough memory" there
// used to escape from a C++ destructor or move, leaving a Ref that named a freed slot (a
// callback later called as nil or as a number). Seeded with 0 (Lua 5.2 does the same), the
// head and every freed slot always hold a number: no key ever has to be created again.
// Call once on a new state, before any Ref.
void prepare_registry(lua_State* L);
void install_state_token(lua_State* L, std::shared_ptr<void>* token);

class Ref {
 public:
  Ref() = default;
  // References the value at `index`. luaL_ref may raise (out of memory): it runs before any
  // member with a destructor exists, so the longjmp leaves nothing half-built behind.
  Ref(lua_State* L, int index)
      : L_(L), ref_(new_ref(L, index)), token_(state_token(L)), tokened_(!token_.expired()) {}
  Ref(Ref&& o) noexcept
      : L_(std::exchange(o.L_, nullptr)),
        ref_(std::exchange(o.ref_, LUA_NOREF)),
        token_(std::move(o.token_)),
        tokened_(o.tokened_) {}
  Ref& operator=(Ref&& o) noexcept {
    if (this != &o) {
      reset();
      L_ = std::exchange(o.L_, nullptr);
      ref_ = std::exchange(o.ref_, LUA_NOREF);
      token_ = std::move(o.token_);
      tokened_ = o.tokened_;
    }
    return *this;
  }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { reset(); }

  void reset() {
    if (state_alive() && ref_ != LUA_NOREF && ref_ != LUA_REFNIL)
      luaL_unref(L_, LUA_REGISTRYINDEX, ref_);
    L_ = nullptr;
    ref_ = LUA_NOREF;
    token_.reset();
  }
  explicit operator bool() const {
    return ref_ != LUA_NOREF && ref_ != LUA_REFNIL && state_alive();
  }
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
  static int new_ref(lua_State* L, int index) {
    lua_pushvalue(L, index);
    return registry_ref(L);
  }
  // No token at creation means "the state outlives me"; an expired one means it closed.
  bool state_alive() const { return L_ != nullptr && (!tokened_ || !token_.expired()); }

  lua_State* L_ = nullptr;
  int ref_ = LUA_NOREF;
  std::weak_ptr<void> token_;
  bool tokened_ = false;
};

}  // namespace nodemcu_emu::lua
