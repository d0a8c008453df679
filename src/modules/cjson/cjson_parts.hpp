// The pieces of the cjson module (cjson.cpp puts them in the module table).
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::cjson {

// lua-cjson's defaults as 1.5.4.1 builds them (the cfg functions are compiled out there).
inline constexpr int k_max_depth = 1000;    // DEFAULT_ENCODE_MAX_DEPTH, DEFAULT_DECODE_MAX_DEPTH
inline constexpr int k_sparse_ratio = 2;    // DEFAULT_SPARSE_RATIO
inline constexpr int k_sparse_safe = 10;    // DEFAULT_SPARSE_SAFE

// The class of the userdata that holds encode's text while it is built (freed by the
// collector, so a Lua error part-way leaks nothing).
inline constexpr const char* k_buffer_class = "cjson.buffer";

int encode(lua_State* L);
int decode(lua_State* L);

}  // namespace nodemcu_emu::cjson
