// encoder: Base64 and hex (spec/others.md "encoder", app/modules/encoder.c).
#include <optional>
#include <string>

#include "lua/lua.hpp"
#include "lua/protected_push.hpp"
#include "modules/encoder/codec.hpp"

namespace nodemcu_emu::modules {

namespace {

using Encode = std::string (*)(std::string_view);
using Decode = std::optional<std::string> (*)(std::string_view);

// The result lives in a std::string, so it is pushed under protection (an out-of-memory error
// would otherwise longjmp over its destructor); errors are raised once it is gone.
int push_encoded(lua_State* L, Encode encode) {
  std::size_t len = 0;
  const char* input = luaL_checklstring(L, 1, &len);
  bool pushed = false;
  {
    std::string out = encode({input, len});
    pushed = lua::protected_push(L, out);
  }
  return pushed ? 1 : lua_error(L);
}

int push_decoded(lua_State* L, Decode decode, const char* error) {
  std::size_t len = 0;
  const char* input = luaL_checklstring(L, 1, &len);
  enum { pushed, invalid, push_error } outcome = invalid;
  {
    auto out = decode({input, len});
    if (out) outcome = lua::protected_push(L, *out) ? pushed : push_error;
  }
  if (outcome == push_error) return lua_error(L);
  return outcome == pushed ? 1 : luaL_error(L, "%s", error);
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
