// cjson: the JSON module of 1.5.4.1 (lua-cjson), present under --firmware=1 only; 2.x replaced
// it with sjson. Only encode and decode: that build compiles the configuration functions out
// (cjson.c cjson_map@1.5.4.1-master_20161201). JSON null decodes to a NULL light userdata, and
// that value encodes as null, as there.
#include <string>

#include "lua/userdata.hpp"
#include "modules/cjson/cjson_parts.hpp"

namespace nodemcu_emu::modules {

int open_cjson(lua_State* L) {
  static const luaL_Reg buffer[] = {{"__gc", lua::destroy_userdata<std::string>},
                                    {nullptr, nullptr}};
  lua::new_class(L, cjson::k_buffer_class, buffer);
  static const luaL_Reg functions[] = {
      {"encode", cjson::encode}, {"decode", cjson::decode}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
