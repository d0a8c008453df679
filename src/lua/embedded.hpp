// Lua modules compiled into the binary (lua/*.lua), available to `require`.
#pragma once

#include <vector>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

struct EmbeddedChunk {
  const char* name;
  const char* source;
};
const std::vector<EmbeddedChunk>& embedded_chunks();

// Registers every embedded chunk in package.preload. Call it while the globals io and os still
// exist: the chunks keep them.
void preload_embedded(lua_State* L);

}  // namespace nodemcu_emu::lua
