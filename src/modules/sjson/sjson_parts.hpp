// The pieces of the sjson module (sjson.cpp puts them in the module table).
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::sjson {

// Metatable sjson.decoder; sjson.decode, sjson.decoder.
void open_decoder(lua_State* L);
int decode(lua_State* L);
int decoder(lua_State* L);

// Metatable sjson.encoder; sjson.encode, sjson.encoder.
void open_encoder(lua_State* L);
int encode(lua_State* L);
int encoder(lua_State* L);

}  // namespace nodemcu_emu::sjson
