// RAII registry reference: a callback, a self-anchor. Released exactly once, by reset() or the
// destructor. Owners release their refs in __gc / close. A Ref that outlives its lua_State (a
// callback captured by a network handler still pending at reboot) releases nothing: it holds
// the state's StateLife, which says when the state has closed.
//
// 16 bytes (a socket keeps eight of them, a thousand idle connections eight thousand): the
// liveness is one counted object per state, not a weak_ptr per Ref.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

// What the Refs into one state share: the state while it is open (nullptr once closed), and
// how many hold it (every Ref, and the state's owner until it closes it). Counted without
// atomics: Refs, like all Lua work, live on the loop's thread.
struct StateLife {
  lua_State* L;
  std::size_t holders;
  // The registry slots Refs released, as a list: this is its head, each slot holds the next
  // (0 ends it). luaL_ref keeps its own list in registry[0]; this one's head is here, which
  // spares a registry read and write per reference and per release (three each per request
  // of a web server: the new socket and its handlers, docs/performance.md).
  int free_refs = 0;
};

// The owner of L makes its StateLife once and ends it when it closes L (after lua_close):
// Refs still alive then release nothing. A state without one (unit tests) must outlive its
// Refs.
StateLife* install_state_life(lua_State* L);
void end_state_life(StateLife* life);
// The state's StateLife, or nullptr.
StateLife* state_life(lua_State* L);
// luaL_ref into the registry that never leaves it half-resized (lua/heap_budget.hpp): the
// value on top (popped) gets a slot, a released one first (StateLife::free_refs).
int registry_ref(lua_State* L);
// Releases a slot registry_ref gave. Never raises: the slot exists and takes a number.
void registry_unref(lua_State* L, int ref);
// Makes luaL_unref allocation-free, so that releasing a Ref never raises: Lua 5.1 keeps the
// head of the free list in registry[0] and starts with it nil, so the first luaL_unref stores
// nil in the freed slot and registry[0] comes and goes. When the collector has dropped that
// key, the next luaL_unref must insert it again, which allocates; "not enough memory" there
// used to escape from a C++ destructor or move, leaving a Ref that named a freed slot (a
// callback later called as nil or as a number). Seeded with 0 (Lua 5.2 does the same), the
// head and every freed slot always hold a number: no key ever has to be created again.
// Call once on a new state, before any Ref.
void prepare_registry(lua_State* L);

// The StateLife's holder count goes down by one (and the StateLife with the last).
void release_state_life(StateLife* life);

// What a reference into L records as its owner: L's StateLife, holding it one more time
// (`counted`), or L itself when the state has none.
inline void* hold_state(lua_State* L, bool& counted) {
  StateLife* life = state_life(L);
  counted = life != nullptr;
  if (life == nullptr) return L;
  ++life->holders;
  return life;
}
// The state an owner recorded by hold_state refers to, or nullptr once it closed.
inline lua_State* owner_state(void* owner, bool counted) {
  return counted ? static_cast<StateLife*>(owner)->L : static_cast<lua_State*>(owner);
}

class Ref {
 public:
  Ref() = default;
  // References the value at `index`. luaL_ref may raise (out of memory): it runs first, before
  // this Ref holds anything, so the longjmp leaves nothing half-built behind.
  Ref(lua_State* L, int index) : ref_(new_ref(L, index)) { owner_ = hold_state(L, counted_); }
  Ref(Ref&& o) noexcept
      : owner_(std::exchange(o.owner_, nullptr)),
        ref_(std::exchange(o.ref_, LUA_NOREF)),
        counted_(std::exchange(o.counted_, false)) {}
  Ref& operator=(Ref&& o) noexcept {
    if (this != &o) {
      reset();
      owner_ = std::exchange(o.owner_, nullptr);
      ref_ = std::exchange(o.ref_, LUA_NOREF);
      counted_ = std::exchange(o.counted_, false);
    }
    return *this;
  }
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  ~Ref() { reset(); }

  void reset() {
    lua_State* L = state();
    if (L != nullptr) registry_unref(L, ref_);
    if (counted_) release(static_cast<StateLife*>(owner_));
    owner_ = nullptr;
    ref_ = LUA_NOREF;
    counted_ = false;
  }
  // A Ref for registry slot `ref` of L, which the caller hands over (RefArray::take).
  static Ref adopt(lua_State* L, int ref) {
    Ref r;
    r.owner_ = hold_state(L, r.counted_);
    r.ref_ = ref;
    return r;
  }

  explicit operator bool() const {
    return ref_ != LUA_NOREF && ref_ != LUA_REFNIL && state() != nullptr;
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
  static void release(StateLife* life) { release_state_life(life); }
  // The state to release into, or nullptr once it closed.
  lua_State* state() const { return owner_state(owner_, counted_); }

  void* owner_ = nullptr;  // the StateLife when counted_, else the lua_State itself
  int ref_ = LUA_NOREF;
  bool counted_ = false;
};

// N registry references of one owner (a socket's callback slots), as N Refs but sharing the
// state they belong to: 8 bytes plus 4 per slot where N Refs take 16 each (a thousand idle
// connections keep a thousand of these, docs/performance.md). Released by reset() or the
// destructor, like a Ref. Whether the owner pointer is counted is its low bit (both kinds of
// pointee are 8-aligned): a bool beside it would cost 8 bytes of padding.
template <std::size_t N>
class RefArray {
 public:
  RefArray() { refs_.fill(LUA_NOREF); }
  RefArray(const RefArray&) = delete;
  RefArray& operator=(const RefArray&) = delete;
  ~RefArray() { reset_all(); }

  bool has(std::size_t i) const {
    return refs_[i] != LUA_NOREF && refs_[i] != LUA_REFNIL && state() != nullptr;
  }
  // Pushes slot i's value (nil when empty); returns whether there was one.
  bool push(lua_State* L, std::size_t i) const {
    if (!has(i)) {
      lua_pushnil(L);
      return false;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, refs_[i]);
    return true;
  }
  // Slot i references the value at `index`. luaL_ref may raise (out of memory): it runs first,
  // and the longjmp leaves the slots as they were.
  void set(lua_State* L, std::size_t i, int index) {
    lua_pushvalue(L, index);
    int ref = registry_ref(L);
    if (owner_ == 0) {
      bool counted = false;
      void* owner = hold_state(L, counted);
      owner_ = reinterpret_cast<std::uintptr_t>(owner) | (counted ? 1u : 0u);
    }
    reset(i);
    refs_[i] = ref;
  }
  void reset(std::size_t i) {
    int ref = std::exchange(refs_[i], LUA_NOREF);
    // Most slots of a socket are empty when it goes: no state lookup, no call for them.
    if (ref == LUA_NOREF || ref == LUA_REFNIL) return;
    if (lua_State* L = state()) registry_unref(L, ref);
  }
  // Slot i's reference moves into a Ref (empty when there is none); the slot is empty then.
  Ref take(std::size_t i) {
    lua_State* L = state();
    int ref = std::exchange(refs_[i], LUA_NOREF);
    if (L == nullptr || ref == LUA_NOREF || ref == LUA_REFNIL) return {};
    return Ref::adopt(L, ref);
  }
  void reset_all() {
    for (std::size_t i = 0; i < N; ++i) reset(i);
    if (counted()) release_state_life(static_cast<StateLife*>(owner()));
    owner_ = 0;
  }

 private:
  bool counted() const { return (owner_ & 1u) != 0; }
  void* owner() const { return reinterpret_cast<void*>(owner_ & ~std::uintptr_t{1}); }
  lua_State* state() const { return owner_state(owner(), counted()); }

  // The StateLife when counted (bit 0 set), else the lua_State itself; 0: none yet.
  std::uintptr_t owner_ = 0;
  std::array<int, N> refs_;
};

}  // namespace nodemcu_emu::lua
