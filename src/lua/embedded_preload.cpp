#include <cstring>

#include "lua/embedded.hpp"

namespace nodemcu_emu::lua {

namespace {
// No C++ string here: the chunk may raise, and its longjmp would skip the destructor.
int load_embedded(lua_State* L) {
  const auto* chunk = static_cast<const EmbeddedChunk*>(lua_touserdata(L, lua_upvalueindex(1)));
  lua_settop(L, 1);
  const char* chunkname = lua_pushfstring(L, "@lua/%s.lua", chunk->name);  // [2]
  if (luaL_loadbuffer(L, chunk->source, std::strlen(chunk->source), chunkname) != 0)
    return lua_error(L);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);
  return 1;
}
}  // namespace

void preload_embedded(lua_State* L) {
  lua_getfield(L, LUA_GLOBALSINDEX, "package");
  lua_getfield(L, -1, "preload");
  for (const auto& chunk : embedded_chunks()) {
    lua_pushlightuserdata(L, const_cast<EmbeddedChunk*>(&chunk));
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, -2, chunk.name);
  }
  lua_pop(L, 2);
}

}  // namespace nodemcu_emu::lua
