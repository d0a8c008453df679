// encoder: Base64 and hex (spec/others.md "encoder", app/modules/encoder.c).
#include <optional>
#include <string>

#include "lua/lua.hpp"
#include "modules/encoder/codec.hpp"

namespace nodemcu_emu::modules {

namespace {

using Encode = std::string (*)(std::string_view);
using Decode = std::optional<std::string> (*)(std::string_view);

int push_encoded(lua_State* L, Encode encode) {
  std::size_t len = 0;
  const char* input = luaL_checklstring(L, 1, &len);
  {
    std::string out = encode({input, len});
    lua_pushlstring(L, out.data(), out.size());
  }
  return 1;
}

// The error is raised after the decoded string is gone (Lua unwinds with longjmp).
int push_decoded(lua_State* L, Decode decode, const char* error) {
  std::size_t len = 0;
  const char* input = luaL_checklstring(L, 1, &len);
  bool ok = false;
  {
    auto out = decode({input, len});
    ok = out.has_value();
    if (ok) lua_pushlstring(L, out->data(), out->size());
  }
  return ok ? 1 : luaL_error(L, "%s", error);
}

int encoder_to_base64(lua_State* L) {
  return push_encoded(L, encoder::to_base64);
}
int encoder_to_hex(lua_State* L) {
  return push_encoded(L, encoder::to_hex);
}
int encoder_from_base64(lua_State* L) {
  return push_decoded(L, encoder::from_base64, "Invalid base64 string");
}
int encoder_from_hex(lua_State* L) {
  return push_decoded(L, encoder::from_hex, "Invalid hex string");
}

}  // namespace

int open_encoder(lua_State* L) {
  static const luaL_Reg functions[] = {{"fromBase64", encoder_from_base64},
                                       {"toBase64", encoder_to_base64},
                                       {"fromHex", encoder_from_hex},
                                       {"toHex", encoder_to_hex},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
