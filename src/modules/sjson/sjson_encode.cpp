// sjson's encoder: sjson.encoder, sjson.encode (spec/others.md "sjson", app/modules/sjson.c).
//
// The firmware's chunk maker produces everything that is left in one go, so the whole text is
// made at the first read (function values are called then) and handed out in slices. The
// encoder's environment table holds root (the table) and null (the string meaning null).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "lua/userdata.hpp"
#include "modules/sjson/sjson_errors.hpp"
#include "modules/sjson/sjson_parts.hpp"

namespace nodemcu_emu::sjson {

namespace {

constexpr const char* k_encoder_class = "sjson.encoder";
constexpr int k_encoder_levels = 20;            // DEFAULT_DEPTH
constexpr lua_Integer k_default_read = 1024;    // encoder:read() without a size
constexpr lua_Integer k_encode_read = 1000000;  // sjson.encode reads the encoder this far, once
constexpr int k_function_calls = 10;            // a function value is called at most 10 times

struct Encoder {
  std::string json;
  std::size_t offset = 0;
  bool generated = false;
  bool generating = false;  // function values are being called: `json` is in use
};

// sjson_encoder_get_table_size: the largest integer key, or -1 (object) as soon as a key is
// not a positive number. The firmware keeps it in a `short`, so 40000 wraps to an object.
std::int16_t table_size(lua_State* L, int t) {
  int max_key = 0;
  lua_pushnil(L);
  while (lua_next(L, t) != 0) {
    lua_pop(L, 1);
    bool number = lua_type(L, -1) == LUA_TNUMBER;
    // lua_tointeger on the chip truncates (ours may round): truncate the same way.
    double n = number ? lua_tonumber(L, -1) : 0;
    int key = n >= INT32_MAX ? INT32_MAX : n <= INT32_MIN ? INT32_MIN : static_cast<int>(n);
    if (number && key > max_key) {
      max_key = key;
    } else if (!number || key <= 0) {
      lua_pop(L, 1);
      return -1;
    }
  }
  return static_cast<std::int16_t>(max_key);
}

void append_number(std::string& out, lua_Number v) {
  if (std::isnan(v) || std::isinf(v)) {  // ECMA-262 24.5.2 note 4, as the firmware
    out += "null";
    return;
  }
  char text[50];
  std::snprintf(text, sizeof text, "%.19g", v);  // SJSON_FLOAT_FMT for double builds
  out += text;
}

// The firmware escapes only control characters and '"' (a backslash goes out unescaped).
void append_string(std::string& out, const char* s, std::size_t len) {
  constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < len; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\b':
        out += "\\b";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

// encode_lua_object for the value at `index`; `null_index` holds the null string or nil.
void append_scalar(lua_State* L, std::string& out, int index, int null_index) {
  int type = lua_type(L, index);
  if (type == LUA_TSTRING && !lua_isnil(L, null_index) && lua_equal(L, index, null_index))
    type = LUA_TNIL;
  switch (type) {
    case LUA_TNIL:
    case LUA_TLIGHTUSERDATA:
      out += "null";
      break;
    case LUA_TBOOLEAN:
      out += lua_toboolean(L, index) ? "true" : "false";
      break;
    case LUA_TNUMBER:
      append_number(out, lua_tonumber(L, index));
      break;
    case LUA_TSTRING: {
      std::size_t len = 0;
      const char* s = lua_tolstring(L, index, &len);
      append_string(out, s, len);
      break;
    }
    default:
      luaL_error(L, errors::k_cannot_encode, type);
  }
}

void append_table(lua_State* L, std::string& out, int level, int null_index);

// Appends the value on top of the stack and pops it. A function is called for its
// replacement value (up to 10 times).
void append_value(lua_State* L, std::string& out, int level, int null_index) {
  for (int calls = k_function_calls; lua_isfunction(L, -1) && calls > 0; --calls) lua_call(L, 0, 1);
  if (lua_istable(L, -1)) {
    append_table(L, out, level + 1, null_index);
    return;
  }
  append_scalar(L, out, -1, null_index);
  lua_pop(L, 1);
}

// Appends the table on top of the stack (at nesting `level`, the root being 0) and pops it.
void append_table(lua_State* L, std::string& out, int level, int null_index) {
  if (level >= k_encoder_levels) luaL_error(L, errors::k_encoder_overflow);
  luaL_checkstack(L, 8, "encoder");
  int t = lua_gettop(L);
  std::int16_t size = table_size(L, t);
  if (size >= 0) {
    out += '[';
    for (int i = 1; i <= size; ++i) {
      if (i > 1) out += ',';
      lua_rawgeti(L, t, i);
      append_value(L, out, level, null_index);
    }
    out += ']';
  } else {
    bool first = true;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
      out += first ? '{' : ',';
      first = false;
      lua_pushvalue(L, -2);  // the key as a string (numbers convert; others keep their type)
      lua_tostring(L, -1);
      append_scalar(L, out, -1, null_index);
      lua_pop(L, 1);
      out += ':';
      append_value(L, out, level, null_index);
    }
    out += '}';
  }
  lua_pop(L, 1);
}

// Makes the whole text: [1] the encoder. Run under lua_pcall, so that `generating` is cleared
// whatever a value raises.
int generate_json(lua_State* L) {
  auto* e = static_cast<Encoder*>(lua_touserdata(L, 1));
  lua_getfenv(L, 1);
  lua_getfield(L, -1, "null");
  int null_index = lua_gettop(L);
  lua_getfield(L, -2, "root");
  append_table(L, e->json, 0, null_index);
  return 0;
}

int encoder_read_at(lua_State* L, int encoder_index, lua_Integer size) {
  auto* e = static_cast<Encoder*>(luaL_checkudata(L, encoder_index, k_encoder_class));
  if (!e->generated) {
    lua_pushcfunction(L, generate_json);  // may raise (out of memory): nothing done yet
    lua_pushvalue(L, encoder_index);
    e->generated = true;
    e->generating = true;
    int status = lua_pcall(L, 1, 0, 0);
    e->generating = false;
    if (status != 0) return lua_error(L);
  }
  std::size_t left = e->json.size() - e->offset;
  if (left == 0) return 0;  // nothing more: no value at all, as on the device
  std::size_t n = std::min(left, static_cast<std::size_t>(size));
  lua_pushlstring(L, e->json.data() + e->offset, n);
  e->offset += n;
  if (e->offset == e->json.size()) {
    e->json.clear();
    e->json.shrink_to_fit();
    e->offset = 0;
  }
  return 1;
}

int encoder_read(lua_State* L) {
  lua_Integer size = k_default_read;
  if (lua_type(L, 2) == LUA_TNUMBER) size = std::max<lua_Integer>(lua_tointeger(L, 2), 1);
  return encoder_read_at(L, 1, size);
}

int push_encoder(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  bool has_opts = lua_type(L, 2) == LUA_TTABLE;
  lua::new_userdata<Encoder>(L, k_encoder_class);
  lua_createtable(L, 0, 2);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "root");
  if (has_opts) {
    lua_getfield(L, 2, "null");
    lua_setfield(L, -2, "null");
  }
  lua_setfenv(L, -2);
  return 1;
}

// __gc: refused while the encoder's own function values are being called (see the decoder's).
int encoder_gc(lua_State* L) {
  if (!lua::is_finalized_by(L, encoder_gc)) return 0;
  auto* e = static_cast<Encoder*>(lua_touserdata(L, 1));
  if (e->generating) return luaL_error(L, errors::k_encoder_busy);
  lua::take_for_gc<Encoder>(L, encoder_gc)->~Encoder();
  return 0;
}

}  // namespace

int encoder(lua_State* L) {
  return push_encoder(L);
}

int encode(lua_State* L) {
  push_encoder(L);
  return encoder_read_at(L, lua_gettop(L), k_encode_read);
}

void open_encoder(lua_State* L) {
  static const luaL_Reg methods[] = {{"read", encoder_read}, {"__gc", encoder_gc}, {nullptr, nullptr}};
  lua::new_class(L, k_encoder_class, methods);
}

}  // namespace nodemcu_emu::sjson
