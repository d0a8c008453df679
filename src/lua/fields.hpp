// Fields of a module table (or any table at the top of the stack) set from C++: the integer
// constants every module has (gpio.HIGH, tmr.ALARM_AUTO, mqtt.CONN_FAIL_DNS, ...) as one list per
// module, and the names a firmware profile did not have yet, removed so that a script's feature
// check (`if file.getcontents then`) takes the path it takes on that device.
#pragma once

#include <initializer_list>
#include <string_view>

#include "lua/lua.hpp"

namespace nodemcu_emu::lua {

// t[key] = value, t at the top of the stack (none of them ever raises but for memory).
inline void set_integer(lua_State* L, const char* key, lua_Integer value) {
  lua_pushinteger(L, value);
  lua_setfield(L, -2, key);
}

inline void set_string(lua_State* L, const char* key, std::string_view value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

inline void set_boolean(lua_State* L, const char* key, bool value) {
  lua_pushboolean(L, value);
  lua_setfield(L, -2, key);
}

struct IntConstant {
  const char* name;
  lua_Integer value;
};

inline void set_constants(lua_State* L, std::initializer_list<IntConstant> constants) {
  for (const auto& c : constants) set_integer(L, c.name, c.value);
}

// t[name] = nil for each name, t at the top of the stack.
inline void remove_fields(lua_State* L, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    lua_pushnil(L);
    lua_setfield(L, -2, name);
  }
}

}  // namespace nodemcu_emu::lua
