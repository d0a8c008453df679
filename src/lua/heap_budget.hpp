// The allocator of a device's Lua state: a byte budget (--heap) on top of a pool for small
// objects and realloc (lua/small_pool.hpp), and the all-or-nothing sections that keep the
// registry whole when the budget runs out.
//
// Why sections: Lua 5.1 grows a table in two allocations, the array part first, then the hash
// part (ltable.c, resize). When the first succeeds and the second fails, the error leaves the
// table with the bigger array and the old hash, and the integer keys that lived in the hash are
// hidden behind nil array slots until the next successful resize copies the stale values back
// over newer ones. On the registry, that turns a callback reference into a freelist number
// ("attempt to call a number value"). Lua 5.4 fixed the order; here, inside a section the budget
// may refuse the first allocation (nothing has changed yet) but not a later one.
#pragma once

#include <cstddef>
#include <cstdlib>

#include "lua/lua.hpp"
#include "lua/small_pool.hpp"

namespace nodemcu_emu::lua {

struct HeapBudget {
  static constexpr std::size_t k_hard_ceiling = std::size_t{1} << 30;  // 1 GiB, docs/node.md

  std::size_t used = 0;
  std::size_t baseline = 0;  // what the libraries take before the script runs
  std::size_t budget = 0;
  bool enforce = false;
  // Inside a section (see above); and whether it has allocated yet.
  bool in_section = false;
  bool section_allocated = false;
  SmallPool pool;

  std::size_t limit() const { return enforce ? baseline + budget : k_hard_ceiling; }

  // Written so that a huge `growth` cannot wrap around the sum.
  bool fits(std::size_t growth) const {
    std::size_t cap = limit();
    return used <= cap && growth <= cap - used;
  }

  static void* alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
    auto* h = static_cast<HeapBudget*>(ud);
    if (nsize == 0) {
      h->pool.release(ptr, osize);
      h->used -= osize;
      return nullptr;
    }
    bool must_succeed = h->in_section && h->section_allocated && nsize <= k_hard_ceiling;
    if (nsize > osize && !must_succeed && !h->fits(nsize - osize)) {
      h->in_section = false;  // Lua raises "not enough memory" now, as on the chip
      return nullptr;
    }
    void* p = h->pool.resize(ptr, osize, nsize);
    if (p == nullptr) {
      h->in_section = false;
      return nullptr;
    }
    h->used = h->used - osize + nsize;
    h->section_allocated = h->in_section;
    return p;
  }

  // The state's budget, or nullptr when it was not made with this allocator (unit tests).
  static HeapBudget* of(lua_State* L) {
    void* ud = nullptr;
    return lua_getallocf(L, &ud) == &HeapBudget::alloc ? static_cast<HeapBudget*>(ud) : nullptr;
  }
};

// An all-or-nothing section around one write that may add a key to the registry (a ref, a
// lua_setfield or lua_rawset on LUA_REGISTRYINDEX): the write may still raise "not enough
// memory", but never leaves the registry half-resized. Not RAII on purpose: a raise skips
// destructors; the allocator ends the section itself when it fails. No-op on other allocators.
inline void begin_all_or_nothing(lua_State* L) {
  if (HeapBudget* heap = HeapBudget::of(L)) {
    heap->in_section = true;
    heap->section_allocated = false;
  }
}
inline void end_all_or_nothing(lua_State* L) {
  if (HeapBudget* heap = HeapBudget::of(L)) heap->in_section = false;
}

// luaL_ref(L, LUA_REGISTRYINDEX) of the value on top (popped), in such a section.
int registry_ref(lua_State* L);

}  // namespace nodemcu_emu::lua
