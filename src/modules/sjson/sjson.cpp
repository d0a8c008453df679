// sjson: the module table (spec/others.md "sjson", app/modules/sjson.c). The decoder and the
// encoder live in sjson_decode.cpp and sjson_encode.cpp.
#include "modules/sjson/sjson_parts.hpp"

namespace nodemcu_emu::modules {

int open_sjson(lua_State* L) {
  sjson::open_decoder(L);
  sjson::open_encoder(L);
  static const luaL_Reg functions[] = {{"encode", sjson::encode},
                                       {"decode", sjson::decode},
                                       {"encoder", sjson::encoder},
                                       {"decoder", sjson::decoder},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  // The docs' sjson.NULL: the light userdata the decoder gives for null by default.
  lua_pushlightuserdata(L, nullptr);
  lua_setfield(L, -2, "NULL");
  return 1;
}

}  // namespace nodemcu_emu::modules
