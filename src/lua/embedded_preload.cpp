#include <cstring>

#include "lua/embedded.hpp"
#include "lua/heap_budget.hpp"

#include "core/device.hpp"

namespace nodemcu_emu::lua {

namespace {
// No C++ string here: the chunk may raise, and its longjmp would skip the destructor. The chunk
// gets its module name and the host's io/os ({io=, os=}) as its varargs: the emulator's own
// helpers drive the host even when scripts have no io/os (docs/security.md).
//
// The helpers' memory (emu's functions alone take about 40 KB on a 64-bit host) is the
// emulator's, not the app's: node.heap() leaves out what loading one takes, counted once for
// helpers that require each other (the registry keeps how deep the loads are nested).
int load_embedded(lua_State* L) {
  const auto* chunk = static_cast<const EmbeddedChunk*>(lua_touserdata(L, lua_upvalueindex(1)));
  lua_settop(L, 1);
  lua_getfield(L, LUA_REGISTRYINDEX, "nodemcu_emu.embedded_depth");
  lua_Integer depth = lua_tointeger(L, -1);
  lua_pop(L, 1);
  core::Device& device = core::Device::from(L);
  lua_gc(L, LUA_GCCOLLECT, 0);
  long long before = static_cast<long long>(device.heap_used());
  lua_pushinteger(L, depth + 1);
  begin_all_or_nothing(L);  // a new registry key: whole or not at all (lua/heap_budget.hpp)
  lua_setfield(L, LUA_REGISTRYINDEX, "nodemcu_emu.embedded_depth");
  end_all_or_nothing(L);
  // "=": not a host file (tracebacks read "lua/emu.lua:40:" all the same; --coverage skips it).
  const char* chunkname = lua_pushfstring(L, "=lua/%s.lua", chunk->name);  // [2]
  if (luaL_loadbuffer(L, chunk->source, std::strlen(chunk->source), chunkname) != 0)
    return lua_error(L);
  lua_pushvalue(L, 1);
  lua_pushvalue(L, lua_upvalueindex(2));
  lua_call(L, 2, 1);
  lua_pushinteger(L, depth);
  begin_all_or_nothing(L);  // a new registry key: whole or not at all (lua/heap_budget.hpp)
  lua_setfield(L, LUA_REGISTRYINDEX, "nodemcu_emu.embedded_depth");
  end_all_or_nothing(L);
  if (depth == 0) {
    lua_gc(L, LUA_GCCOLLECT, 0);
    device.exclude_from_heap(static_cast<long long>(device.heap_used()) - before);
  }
  return 1;
}
}  // namespace

void preload_embedded(lua_State* L) {
  lua_getfield(L, LUA_GLOBALSINDEX, "package");
  lua_getfield(L, -1, "preload");
  int preload = lua_gettop(L);
  lua_createtable(L, 0, 2);
  int host = lua_gettop(L);
  for (const char* lib : {"io", "os"}) {
    lua_getglobal(L, lib);
    lua_setfield(L, host, lib);
  }
  for (const auto& chunk : embedded_chunks()) {
    lua_pushlightuserdata(L, const_cast<EmbeddedChunk*>(&chunk));
    lua_pushvalue(L, host);
    lua_pushcclosure(L, load_embedded, 2);
    lua_setfield(L, preload, chunk.name);
  }
  lua_pop(L, 3);
}

}  // namespace nodemcu_emu::lua
