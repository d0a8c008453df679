// cjson.encode (json_encode and json_append_* in cjson.c@1.5.4.1-master_20161201).
//
// The text grows in a std::string inside a userdata: the firmware raises (luaL_error) from deep
// in the recursion, and a Lua error is a longjmp that would skip a C++ destructor on our stack.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "lua/userdata.hpp"
#include "modules/cjson/cjson_errors.hpp"
#include "modules/cjson/cjson_parts.hpp"

namespace nodemcu_emu::cjson {

namespace {

[[noreturn]] void fail(lua_State* L, int index, const char* reason) {
  luaL_error(L, errors::k_cannot_serialise, luaL_typename(L, index), reason);
  std::abort();  // luaL_error does not return
}

// char2escape: control characters as \u00XX (but \b \t \n \f \r), '"', '\\', '/' and DEL.
void append_string(std::string& out, lua_State* L, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  out += '"';
  for (size_t i = 0; i < len; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '/': out += "\\/"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char esc[8];
          std::snprintf(esc, sizeof esc, "\\u%04x", c);
          out += esc;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// LUA_NUMBER_FMT ("%.14g"), not lua-cjson's fpconv: the firmware swapped it in. NaN and
// infinities are refused (DEFAULT_ENCODE_INVALID_NUMBERS 0).
void append_number(std::string& out, lua_State* L, int index) {
  double n = lua_tonumber(L, index);
  if (std::isnan(n) || std::isinf(n)) fail(L, index, errors::k_bad_number);
  char text[32];
  std::snprintf(text, sizeof text, "%.14g", n);
  out += text;
}

// lua_array_length: the largest key when every key is an integer >= 1, else -1 (an object).
// Too sparse an array (more than twice as long as it has items, and over 10) is refused.
int array_length(lua_State* L) {
  int max = 0, items = 0;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    double k = lua_type(L, -2) == LUA_TNUMBER ? lua_tonumber(L, -2) : 0;
    if (k != 0 && std::floor(k) == k && k >= 1) {
      if (k > max) max = static_cast<int>(k);
      ++items;
      lua_pop(L, 1);
      continue;
    }
    lua_pop(L, 2);
    return -1;
  }
  if (max > items * k_sparse_ratio && max > k_sparse_safe) fail(L, -1, errors::k_sparse);
  return max;
}

void append_value(std::string& out, lua_State* L, int depth);

void append_array(std::string& out, lua_State* L, int depth, int length) {
  out += '[';
  for (int i = 1; i <= length; ++i) {
    if (i > 1) out += ',';
    lua_rawgeti(L, -1, i);
    append_value(out, L, depth);
    lua_pop(L, 1);
  }
  out += ']';
}

void append_object(std::string& out, lua_State* L, int depth) {
  out += '{';
  bool comma = false;
  lua_pushnil(L);
  while (lua_next(L, -2) != 0) {
    if (comma) out += ',';
    comma = true;
    int key_type = lua_type(L, -2);
    if (key_type == LUA_TNUMBER) {
      out += '"';
      append_number(out, L, -2);
      out += "\":";
    } else if (key_type == LUA_TSTRING) {
      append_string(out, L, -2);
      out += ':';
    } else {
      fail(L, -2, errors::k_bad_key);
    }
    append_value(out, L, depth);
    lua_pop(L, 1);
  }
  out += '}';
}

void append_value(std::string& out, lua_State* L, int depth) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: append_string(out, L, -1); return;
    case LUA_TNUMBER: append_number(out, L, -1); return;
    case LUA_TBOOLEAN: out += lua_toboolean(L, -1) ? "true" : "false"; return;
    case LUA_TNIL: out += "null"; return;
    case LUA_TTABLE: {
      ++depth;
      if (depth > k_max_depth || !lua_checkstack(L, 3)) luaL_error(L, errors::k_nesting, depth);
      int length = array_length(L);
      // An empty table is an object: lua-cjson cannot tell, and picks {}.
      if (length > 0) append_array(out, L, depth, length);
      else append_object(out, L, depth);
      return;
    }
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, -1) == nullptr) {  // cjson's null (what decode gives for null)
        out += "null";
        return;
      }
      [[fallthrough]];
    default:
      fail(L, -1, errors::k_bad_type);
  }
}

}  // namespace

int encode(lua_State* L) {
  luaL_argcheck(L, lua_gettop(L) == 1, 1, errors::k_one_argument);
  auto* text = lua::new_userdata<std::string>(L, k_buffer_class);
  lua_pushvalue(L, 1);
  append_value(*text, L, 0);
  lua_pushlstring(L, text->data(), text->size());
  return 1;
}

}  // namespace nodemcu_emu::cjson
