// Pushing a value from a frame where C++ objects with destructors are alive.
//
// Lua 5.1 (compiled as C) raises every error with longjmp, and any lua_push*/lua_newtable may
// raise "not enough memory". A longjmp skips the destructors of the C++ objects in the frames
// it crosses: their memory leaks (or worse). The usual cure is to check arguments first, work
// with C++ objects in a helper that never raises, and raise afterwards from a frame that holds
// none. When the result itself lives in a C++ object (a std::string of unknown size, a vector
// of directory entries), these run the push under lua_cpcall instead: a failure comes back as
// a status, with the error value on the stack, and the caller raises it with lua_error once
// its objects are gone.
#pragma once

#include <string_view>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

// Runs build(L, data) protected; it leaves exactly one value on the stack, which is then pushed
// for the caller. Returns true with that value pushed, or false with the error value pushed.
// `build` may raise freely, but must not keep C++ objects with destructors in its own frame.
using Builder = void (*)(lua_State* L, void* data);
bool protected_build(lua_State* L, Builder build, void* data);

// Pushes a copy of `bytes` (protected_build with lua_pushlstring).
bool protected_push(lua_State* L, std::string_view bytes);

}  // namespace nodemcu_emu::lua
