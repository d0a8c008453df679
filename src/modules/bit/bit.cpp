// bit: 32-bit operations on Lua numbers; results are signed 32-bit as on the device.
#include <cstdint>

#include "lua/lua.hpp"

namespace nodemcu_emu::modules {

namespace {

std::uint32_t arg_bits(lua_State* L, int index) {
  lua_Number n = luaL_checknumber(L, index);
  // Beyond int64 (and NaN) the conversion would be undefined: 0, what the x86 conversion the
  // emulator always did gives in the low 32 bits.
  if (!(n > -0x1p63 && n < 0x1p63)) return 0;
  // Through int64 so that both -1 and 0xFFFFFFFF map to all ones.
  return static_cast<std::uint32_t>(static_cast<std::int64_t>(n));
}

int push_bits(lua_State* L, std::uint32_t v) {
  lua_pushinteger(L, static_cast<lua_Integer>(static_cast<std::int32_t>(v)));
  return 1;
}

int bit_bnot(lua_State* L) { return push_bits(L, ~arg_bits(L, 1)); }

template <class Op>
int fold(lua_State* L, Op op) {
  std::uint32_t r = arg_bits(L, 1);
  for (int i = 2, n = lua_gettop(L); i <= n; i++) r = op(r, arg_bits(L, i));
  return push_bits(L, r);
}
int bit_band(lua_State* L) { return fold(L, [](auto a, auto b) { return a & b; }); }
int bit_bor(lua_State* L) { return fold(L, [](auto a, auto b) { return a | b; }); }
int bit_bxor(lua_State* L) { return fold(L, [](auto a, auto b) { return a ^ b; }); }

unsigned shift_count(lua_State* L, int index) { return static_cast<unsigned>(arg_bits(L, index)) & 31u; }

int bit_lshift(lua_State* L) { return push_bits(L, arg_bits(L, 1) << shift_count(L, 2)); }
int bit_rshift(lua_State* L) { return push_bits(L, arg_bits(L, 1) >> shift_count(L, 2)); }
int bit_arshift(lua_State* L) {
  auto v = static_cast<std::int32_t>(arg_bits(L, 1));
  return push_bits(L, static_cast<std::uint32_t>(v >> shift_count(L, 2)));
}
int bit_bit(lua_State* L) { return push_bits(L, 1u << shift_count(L, 1)); }

int bit_set(lua_State* L) {
  std::uint32_t v = arg_bits(L, 1);
  for (int i = 2, n = lua_gettop(L); i <= n; i++) v |= 1u << shift_count(L, i);
  return push_bits(L, v);
}
int bit_clear(lua_State* L) {
  std::uint32_t v = arg_bits(L, 1);
  for (int i = 2, n = lua_gettop(L); i <= n; i++) v &= ~(1u << shift_count(L, i));
  return push_bits(L, v);
}
int bit_isset(lua_State* L) {
  lua_pushboolean(L, (arg_bits(L, 1) >> shift_count(L, 2)) & 1u);
  return 1;
}
int bit_isclear(lua_State* L) {
  lua_pushboolean(L, !((arg_bits(L, 1) >> shift_count(L, 2)) & 1u));
  return 1;
}

}  // namespace

int open_bit(lua_State* L) {
  static const luaL_Reg functions[] = {
      {"bnot", bit_bnot},       {"band", bit_band},   {"bor", bit_bor},     {"bxor", bit_bxor},
      {"lshift", bit_lshift},   {"rshift", bit_rshift}, {"arshift", bit_arshift},
      {"bit", bit_bit},         {"set", bit_set},     {"clear", bit_clear}, {"isset", bit_isset},
      {"isclear", bit_isclear}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
