// The Lua helpers that keep Lua errors (longjmps) away from C++ objects: protected pushes,
// registry refs made under memory pressure, and __gc metamethods a script calls itself.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "lua/protected_push.hpp"
#include "lua/ref.hpp"
#include "lua/userdata.hpp"

using namespace nodemcu_emu;

namespace {

// A state whose allocator fails every growth once `limit` bytes are in use.
struct Budget {
  std::size_t used = 0;
  std::size_t limit = SIZE_MAX;

  static void* alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
    auto* b = static_cast<Budget*>(ud);
    if (nsize == 0) {
      std::free(ptr);
      b->used -= osize;
      return nullptr;
    }
    if (nsize > osize && b->used + (nsize - osize) > b->limit) return nullptr;
    void* p = std::realloc(ptr, nsize);
    if (p) b->used = b->used - osize + nsize;
    return p;
  }
};

struct State {
  Budget budget;
  lua_State* L = lua_newstate(&Budget::alloc, &budget);
  State() { luaL_openlibs(L); }
  ~State() { lua_close(L); }
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
  s.budget.limit = s.budget.used + 64;
  std::string text(100000, 'y');
  REQUIRE_FALSE(lua::protected_push(s.L, text));
  REQUIRE(lua_gettop(s.L) == top + 1);  // the error value
  REQUIRE(std::string(lua_tostring(s.L, -1)) == "not enough memory");
  lua_pop(s.L, 1);
  s.budget.limit = SIZE_MAX;
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
  s.budget.limit = s.budget.used + 4096;
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
  s.budget.limit = SIZE_MAX;
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
