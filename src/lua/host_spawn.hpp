// io.popen and os.execute start host programs: wrapped so that the device's sockets are
// closed in them (core/close_on_exec.hpp).
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

// Wraps io.popen and os.execute (call right after luaL_openlibs, before anything copies them).
void close_descriptors_in_children(lua_State* L);

}  // namespace nodemcu_emu::lua
