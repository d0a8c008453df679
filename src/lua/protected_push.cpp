#include "lua/protected_push.hpp"

#include "lua/heap_budget.hpp"

namespace nodemcu_emu::lua {

namespace {

// lua_cpcall discards what its function returns: the value travels through this registry slot
// (a light userdata key: storing and fetching it later allocates nothing).
char k_result_slot;

struct Job {
  Builder build;
  void* data;
};

int run_job(lua_State* L) {
  auto* job = static_cast<Job*>(lua_touserdata(L, 1));
  lua_pushlightuserdata(L, &k_result_slot);
  job->build(L, job->data);
  // May grow the registry: still inside the protection, and whole (lua/heap_budget.hpp).
  begin_all_or_nothing(L);
  lua_rawset(L, LUA_REGISTRYINDEX);
  end_all_or_nothing(L);
  return 0;
}

void push_bytes(lua_State* L, void* data) {
  auto* bytes = static_cast<std::string_view*>(data);
  lua_pushlstring(L, bytes->data(), bytes->size());
}

}  // namespace

bool protected_build(lua_State* L, Builder build, void* data) {
  Job job{build, data};
  if (lua_cpcall(L, run_job, &job) != 0) return false;  // the error value is on the stack
  lua_pushlightuserdata(L, &k_result_slot);
  lua_rawget(L, LUA_REGISTRYINDEX);
  // Clearing an existing key allocates nothing, and nothing stays pinned in the registry.
  lua_pushlightuserdata(L, &k_result_slot);
  lua_pushnil(L);
  lua_rawset(L, LUA_REGISTRYINDEX);
  return true;
}

bool protected_push(lua_State* L, std::string_view bytes) {
  return protected_build(L, push_bytes, &bytes);
}

}  // namespace nodemcu_emu::lua
