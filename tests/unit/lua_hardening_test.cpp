// The Lua helpers that keep Lua errors (longjmps) away from C++ objects: protected pushes,
// registry refs made under memory pressure, and __gc metamethods a script calls itself.
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lua/heap_budget.hpp"
#include "lua/protected_push.hpp"
#include "lua/ref.hpp"
#include "lua/userdata.hpp"

using namespace nodemcu_emu;

namespace {

// A state on the device's budget allocator; limit(n) fails every growth past n bytes in use.
struct State {
  lua::HeapBudget heap;
  lua_State* L = lua_newstate(&lua::HeapBudget::alloc, &heap);
  State() {
    luaL_openlibs(L);
    lua::prepare_registry(L);
  }
  ~State() { lua_close(L); }
  void limit(std::size_t bytes) {
    heap.enforce = true;
    heap.baseline = 0;
    heap.budget = bytes;
  }
  void unlimit() { heap.enforce = false; }
};

// Counts live instances, to see destructors run exactly once.
struct Counted {
  static inline int live = 0;
  Counted() { ++live; }
  ~Counted() { --live; }
};

void make_class(lua_State* L, const char* name) {
  static const luaL_Reg methods[] = {{"__gc", lua::destroy_userdata<Counted>}, {nullptr, nullptr}};
  lua::new_class(L, name, methods);
}

// Registry slot `ref` holds the integer `value`.
void check_slot_holds(lua_State* L, int ref, lua_Integer value) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  INFO("ref " << ref);
  REQUIRE(lua_type(L, -1) == LUA_TNUMBER);
  CHECK(lua_tointeger(L, -1) == value);
  lua_pop(L, 1);
}

}  // namespace

TEST_CASE("protected_push pushes a copy of the bytes and leaves the stack balanced") {
  State s;
  int top = lua_gettop(s.L);
  std::string text(10000, 'x');
  REQUIRE(lua::protected_push(s.L, text));
  REQUIRE(lua_gettop(s.L) == top + 1);
  size_t len = 0;
  const char* pushed = lua_tolstring(s.L, -1, &len);
  REQUIRE(std::string(pushed, len) == text);
  // The slot it used is empty again: nothing stays pinned in the registry.
  lua_pop(s.L, 1);
  REQUIRE(lua::protected_push(s.L, "second"));
  REQUIRE(std::string(lua_tostring(s.L, -1)) == "second");
}

TEST_CASE("protected_push reports running out of memory instead of raising") {
  State s;
  lua_gc(s.L, LUA_GCCOLLECT, 0);
  int top = lua_gettop(s.L);
  s.limit(s.heap.used + 64);
  std::string text(100000, 'y');
  REQUIRE_FALSE(lua::protected_push(s.L, text));
  REQUIRE(lua_gettop(s.L) == top + 1);  // the error value
  REQUIRE(std::string(lua_tostring(s.L, -1)) == "not enough memory");
  lua_pop(s.L, 1);
  s.unlimit();
  REQUIRE(lua::protected_push(s.L, text));
}

// Under lua_cpcall: one more Ref (to a new table) into the vector behind the light userdata.
int add_ref(lua_State* L) {
  auto* refs = static_cast<std::vector<lua::Ref>*>(lua_touserdata(L, 1));
  lua_newtable(L);
  refs->push_back(lua::Ref(L, -1));
  return 0;
}

TEST_CASE("a Ref made under memory pressure raises before it owns anything") {
  // With a StateLife, a Ref holds a count on it: one skipped by the longjmp would keep it alive
  // (LeakSanitizer reports it in the sanitizer build).
  State s;
  lua::StateLife* life = lua::install_state_life(s.L);
  std::vector<lua::Ref> refs;
  refs.reserve(100000);
  lua_gc(s.L, LUA_GCCOLLECT, 0);
  s.limit(s.heap.used + 4096);
  int failures = 0;
  for (int i = 0; i < 2000 && failures < 20; ++i) {
    int status = lua_cpcall(s.L, add_ref, &refs);
    if (status != 0) {
      REQUIRE(status == LUA_ERRMEM);
      lua_pop(s.L, 1);
      ++failures;
    }
  }
  REQUIRE(failures > 0);
  REQUIRE(!refs.empty());
  s.unlimit();
  for (auto& r : refs) REQUIRE(r);
  refs.clear();
  REQUIRE(life->holders == 1);  // the state's own count: every Ref gave its back
  lua::end_state_life(life);
}

TEST_CASE("__gc called by a script destroys its own kind of object once") {
  State s;
  make_class(s.L, "test.counted");
  make_class(s.L, "test.other");
  Counted::live = 0;
  lua::new_userdata<Counted>(s.L, "test.counted");
  lua_setglobal(s.L, "obj");
  lua::new_userdata<Counted>(s.L, "test.other");
  lua_setglobal(s.L, "other");
  REQUIRE(Counted::live == 2);
  const char* script = R"(
    local gc = getmetatable(obj).__gc
    gc(5); gc(nil); gc({}); gc(newproxy(true)); gc(io.stdout)
    gc(obj)
    assert(getmetatable(obj) == nil, "metatable removed")
    gc(obj)
  )";
  REQUIRE(luaL_dostring(s.L, script) == 0);
  REQUIRE(Counted::live == 1);
  lua_pushnil(s.L);
  lua_setglobal(s.L, "obj");
  lua_gc(s.L, LUA_GCCOLLECT, 0);  // the collector does not finalize obj a second time
  REQUIRE(Counted::live == 1);
  lua_pushnil(s.L);
  lua_setglobal(s.L, "other");
  lua_gc(s.L, LUA_GCCOLLECT, 0);
  REQUIRE(Counted::live == 0);
}

namespace {
int unref_integer(lua_State* L) {
  luaL_unref(L, LUA_REGISTRYINDEX, static_cast<int>(lua_tointeger(L, 1)));
  return 0;
}

int ref_integer(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(reinterpret_cast<std::intptr_t>(lua_touserdata(L, 1))));
  lua_pushinteger(L, lua::registry_ref(L));
  return 1;
}
}  // namespace

// Lua 5.1 grows a table's array part, then its hash part: a failure between the two hides
// integer keys of the registry until a later resize writes their stale values back.
TEST_CASE("registry refs made at every amount of free memory leave the registry whole") {
  State s;
  std::vector<std::pair<int, lua_Integer>> refs;  // ref -> the integer it holds
  lua_Integer next = 1;
  int failures = 0;
  for (int round = 0; round < 40; ++round) {
    for (std::size_t slack = 0; slack < 600; slack += 8) {
      lua_Integer value = next++;
      lua_pushcfunction(s.L, ref_integer);  // made before the squeeze
      s.limit(s.heap.used + slack);
      lua_pushlightuserdata(s.L, reinterpret_cast<void*>(static_cast<std::intptr_t>(value)));
      int status = lua_pcall(s.L, 1, 1, 0);
      s.unlimit();
      if (status == 0) {
        refs.emplace_back(static_cast<int>(lua_tointeger(s.L, -1)), value);
      } else {
        ++failures;
        CHECK(std::string(lua_tostring(s.L, -1)) == "not enough memory");
      }
      lua_pop(s.L, 1);
      REQUIRE_FALSE(s.heap.in_section);
    }
    // Some are given back with no memory to spare, so that the freelist is used too: releasing
    // a reference must never fail (it runs in destructors).
    for (std::size_t i = 0; i < refs.size(); i += 3) {
      lua_pushcfunction(s.L, unref_integer);
      lua_pushinteger(s.L, refs[i].first);
      s.limit(s.heap.used);
      int status = lua_pcall(s.L, 1, 0, 0);
      s.unlimit();
      REQUIRE(status == 0);
    }
    lua_gc(s.L, LUA_GCCOLLECT, 0);  // drops registry keys whose value became nil
    std::vector<std::pair<int, lua_Integer>> kept;
    for (std::size_t i = 0; i < refs.size(); ++i)
      if (i % 3 != 0) kept.push_back(refs[i]);
    refs.swap(kept);
  }
  CHECK(failures > 0);  // the squeeze did bite
  // The free list's head is always a number (prepare_registry): luaL_unref never inserts a key.
  lua_rawgeti(s.L, LUA_REGISTRYINDEX, 0);
  CHECK(lua_type(s.L, -1) == LUA_TNUMBER);
  lua_pop(s.L, 1);
  for (auto [ref, value] : refs) check_slot_holds(s.L, ref, value);
}

namespace {
int our_unref(lua_State* L) {
  lua::registry_unref(L, static_cast<int>(lua_tointeger(L, 1)));
  return 0;
}
}  // namespace

// With a StateLife, Refs keep their own list of released slots (StateLife::free_refs) beside
// luaL_ref's in registry[0]; other code (C modules, Lua libraries) still uses luaL_ref. No slot
// may be handed out twice, and a release must not allocate (it runs in destructors).
TEST_CASE("released registry slots are reused, never twice, beside luaL_ref's own list") {
  State s;
  lua::StateLife* life = lua::install_state_life(s.L);
  std::map<int, lua_Integer> live;  // ref -> the integer it holds
  std::vector<std::pair<int, bool>> order;  // live refs and whether ours made them
  std::uint32_t rng = 12345;
  auto next = [&rng] { return rng = rng * 1664525u + 1013904223u; };
  lua_Integer value = 0;
  for (int i = 0; i < 20000; ++i) {
    std::uint32_t r = next();
    bool ours = (r & 1) != 0;
    if ((r >> 1) % 3 != 0 || order.empty()) {
      lua_pushinteger(s.L, ++value);
      int ref = ours ? lua::registry_ref(s.L) : luaL_ref(s.L, LUA_REGISTRYINDEX);
      INFO("ref " << ref << " handed out while still held");
      REQUIRE(live.count(ref) == 0);
      live[ref] = value;
      order.emplace_back(ref, ours);
    } else {
      std::size_t k = (r >> 3) % order.size();
      auto [ref, made_by_ours] = order[k];
      order.erase(order.begin() + static_cast<long>(k));
      live.erase(ref);
      if (made_by_ours) {
        // Released with no memory to spare: it must not need any.
        lua_pushcfunction(s.L, our_unref);
        lua_pushinteger(s.L, ref);
        s.limit(s.heap.used);
        REQUIRE(lua_pcall(s.L, 1, 0, 0) == 0);
        s.unlimit();
        // The next reference of ours takes the slot just released.
        if ((r >> 20) % 2 == 0) {
          lua_pushinteger(s.L, ++value);
          int again = lua::registry_ref(s.L);
          CHECK(again == ref);
          live[again] = value;
          order.emplace_back(again, true);
        }
      } else {
        luaL_unref(s.L, LUA_REGISTRYINDEX, ref);
      }
    }
    if (i % 1000 == 0) lua_gc(s.L, LUA_GCCOLLECT, 0);
  }
  for (auto [ref, value] : live) check_slot_holds(s.L, ref, value);
  lua_pushnil(s.L);
  CHECK(lua::registry_ref(s.L) == LUA_REFNIL);
  lua::end_state_life(life);
}
