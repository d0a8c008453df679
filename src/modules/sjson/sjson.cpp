// sjson: JSON encoding and streaming decoding (spec/others.md "sjson", app/modules/sjson.c).
//
// Decoding parses with RapidJSON (json_stream.hpp) and builds Lua values event by event, in the
// order the firmware does: a table is created, given the metatable, offered to checkpath, and
// stored in its parent before its contents arrive. Every Lua step runs under lua_cpcall so that
// a Lua error (from __newindex, checkpath, memory) never unwinds through RapidJSON's C++ frames;
// it is raised again once the parser is gone.
//
// Options quirk kept from the firmware: `depth` is read with lua_tointeger on the options table
// itself, so it is always the default (20) whatever the script asks.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "lua/userdata.hpp"
#include "modules/sjson/json_stream.hpp"

namespace nodemcu_emu::modules {

namespace {

using sjson::Event;
using sjson::EventKind;

constexpr const char* k_decoder_class = "sjson.decoder";
constexpr const char* k_encoder_class = "sjson.encoder";
constexpr int k_encoder_levels = 20;            // DEFAULT_DEPTH
constexpr lua_Integer k_default_read = 1024;    // encoder:read() without a size
constexpr lua_Integer k_encode_read = 1000000;  // sjson.encode reads the encoder this far, once
constexpr int k_function_calls = 10;            // a function value is called at most 10 times

// ============================================================================================
// Decoder. Its Lua values live in the userdata's environment table: result (the table whose
// [1] is the document), null, metatable, path (when the metatable has checkpath), stack (the
// open containers by level), key (the object key waiting for its value).

struct Decoder {
  struct Frame {
    bool array;
    lua_Integer used = 0;  // elements stored so far in an array
  };
  sjson::StreamParser parser;
  std::vector<Frame> frames;
  bool complete = false;
  bool failed = false;  // data->error: every later write fails with "previous call"
  // Inside parser.feed: a callback (checkpath, __newindex) must not feed or free the parser,
  // whose text and state the parse in progress is reading.
  bool feeding = false;
};

struct ApplyArgs {
  Decoder* decoder;
  int env_ref;
  const Event* event;
};

constexpr int k_env = 2;  // where apply_event keeps the environment table

// Pushes the container a value at `level` goes into, and the key it gets there.
void push_parent_and_key(lua_State* L, Decoder& d, int level) {
  if (level == 1) {
    lua_getfield(L, k_env, "result");
    lua_pushinteger(L, 1);
    return;
  }
  lua_getfield(L, k_env, "stack");
  lua_rawgeti(L, -1, level - 1);
  lua_remove(L, -2);
  Decoder::Frame& parent = d.frames.back();
  if (parent.array) {
    lua_pushinteger(L, ++parent.used);
  } else {
    lua_getfield(L, k_env, "key");
    lua_pushnil(L);
    lua_setfield(L, k_env, "key");
  }
}

void open_container(lua_State* L, Decoder& d, const Event& e) {
  lua_newtable(L);  // [3] the new table
  lua_getfield(L, k_env, "metatable");
  if (lua_istable(L, -1))
    lua_setmetatable(L, 3);
  else
    lua_pop(L, 1);
  push_parent_and_key(L, d, e.level);  // [4] parent, [5] key
  lua_getfield(L, k_env, "path");      // [6] path or nil
  bool want = true;
  if (!lua_isnil(L, 6)) {
    if (e.level > 1) {
      lua_pushinteger(L, e.level - 1);
      lua_pushvalue(L, 5);
      lua_settable(L, 6);
    }
    lua_getfield(L, k_env, "metatable");
    lua_getfield(L, -1, "checkpath");
    lua_remove(L, -2);
    if (!lua_isnil(L, -1)) {
      lua_pushvalue(L, 3);
      lua_pushvalue(L, 6);
      lua_call(L, 2, 1);
      want = lua_toboolean(L, -1) != 0;
    }
    lua_pop(L, 1);
  }
  if (want) {
    lua_pushvalue(L, 5);
    lua_pushvalue(L, 3);
    lua_settable(L, 4);  // __newindex of the parent sees the (still empty) table
  }
  lua_getfield(L, k_env, "stack");
  lua_pushvalue(L, 3);
  lua_rawseti(L, -2, e.level);
  d.frames.push_back({e.kind == EventKind::start_array});
}

void close_container(lua_State* L, Decoder& d, int level) {
  lua_getfield(L, k_env, "path");
  if (!lua_isnil(L, -1)) {
    lua_pushinteger(L, level);
    lua_pushnil(L);
    lua_settable(L, -3);
  }
  lua_getfield(L, k_env, "stack");
  lua_pushnil(L);
  lua_rawseti(L, -2, level);
  d.frames.pop_back();
  if (level == 1) d.complete = true;
}

void push_scalar(lua_State* L, const Event& e) {
  switch (e.kind) {
    case EventKind::string:
      lua_pushlstring(L, e.text.data(), e.text.size());
      break;
    case EventKind::number:  // push_number: the text through lua_tonumber
      lua_pushlstring(L, e.text.data(), e.text.size());
      lua_pushnumber(L, lua_tonumber(L, -1));
      lua_remove(L, -2);
      break;
    case EventKind::boolean_true:
    case EventKind::boolean_false:
      lua_pushboolean(L, e.kind == EventKind::boolean_true);
      break;
    default:
      lua_getfield(L, k_env, "null");
      break;
  }
}

// Runs under lua_cpcall: [1] the ApplyArgs, [2] the decoder's environment.
int apply_event(lua_State* L) {
  auto* a = static_cast<ApplyArgs*>(lua_touserdata(L, 1));
  lua_rawgeti(L, LUA_REGISTRYINDEX, a->env_ref);
  Decoder& d = *a->decoder;
  const Event& e = *a->event;
  switch (e.kind) {
    case EventKind::key:
      lua_pushlstring(L, e.text.data(), e.text.size());
      lua_setfield(L, k_env, "key");
      break;
    case EventKind::start_object:
    case EventKind::start_array:
      open_container(L, d, e);
      break;
    case EventKind::end_object:
    case EventKind::end_array:
      close_container(L, d, e.level);
      break;
    default:
      push_scalar(L, e);                   // [3]
      push_parent_and_key(L, d, e.level);  // [4] parent, [5] key
      lua_pushvalue(L, 3);
      lua_settable(L, 4);
      break;
  }
  return 0;
}

class LuaSink : public sjson::EventSink {
 public:
  LuaSink(lua_State* L, Decoder* d, int env_ref) : L_(L), d_(d), env_ref_(env_ref) {}
  // On a Lua error the error value is left on the stack and the parse stops.
  bool on_event(const Event& event) override {
    ApplyArgs args{d_, env_ref_, &event};
    return lua_cpcall(L_, apply_event, &args) == 0;
  }

 private:
  lua_State* L_;
  Decoder* d_;
  int env_ref_;
};

sjson::StreamParser::Status feed(lua_State* L, Decoder* d, int env_ref, std::string_view chunk) {
  LuaSink sink(L, d, env_ref);
  return d->parser.feed(chunk, sink);
}

// Creates a decoder from the options at `opts` (sjson_decoder_int) and pushes it.
Decoder* push_decoder(lua_State* L, int opts) {
  bool has_opts = lua_type(L, opts) == LUA_TTABLE;
  auto* d = lua::new_userdata<Decoder>(L, k_decoder_class);
  lua_createtable(L, 0, 6);
  lua_newtable(L);
  lua_setfield(L, -2, "result");
  lua_newtable(L);
  lua_setfield(L, -2, "stack");
  if (has_opts) {
    lua_getfield(L, opts, "null");
    lua_setfield(L, -2, "null");
    lua_getfield(L, opts, "metatable");
    if (!lua_isnil(L, -1)) {
      lua_getfield(L, -1, "checkpath");
      bool checkpath = !lua_isnil(L, -1);
      lua_pop(L, 1);
      if (checkpath) {
        lua_newtable(L);
        lua_setfield(L, -3, "path");
      }
    }
    lua_setfield(L, -2, "metatable");
  } else {
    lua_pushlightuserdata(L, nullptr);  // sjson.NULL, as cjson does
    lua_setfield(L, -2, "null");
  }
  lua_setfenv(L, -2);
  return d;
}

void push_result(lua_State* L, int decoder_index) {
  lua_getfenv(L, decoder_index);
  lua_getfield(L, -1, "result");
  lua_rawgeti(L, -1, 1);
  lua_replace(L, -3);
  lua_pop(L, 1);
}

// sjson_decoder_write_int: feeds the string at `str_index`; pushes the result once complete.
int decoder_write_at(lua_State* L, int decoder_index, int str_index) {
  auto* d = static_cast<Decoder*>(luaL_checkudata(L, decoder_index, k_decoder_class));
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, str_index, &len);
  if (d->failed) return luaL_error(L, "JSON parse error: previous call");
  if (d->feeding) return luaL_error(L, "sjson: the decoder is busy (write from its own callback)");
  if (!d->complete) {
    lua_getfenv(L, decoder_index);
    int env_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    d->feeding = true;
    auto status = feed(L, d, env_ref, {s, len});
    d->feeding = false;
    luaL_unref(L, LUA_REGISTRYINDEX, env_ref);
    if (status == sjson::StreamParser::Status::stopped) {
      d->failed = true;
      return lua_error(L);  // the callback's own error, left on the stack
    }
    if (status == sjson::StreamParser::Status::error) {
      d->failed = true;
      return luaL_error(L, "JSON parse error: %s", d->parser.error().c_str());
    }
  }
  if (!d->complete) return 0;
  d->parser.release();
  push_result(L, decoder_index);
  return 1;
}

int decoder_write(lua_State* L) {
  return decoder_write_at(L, 1, 2);
}

int decoder_result(lua_State* L) {
  auto* d = static_cast<Decoder*>(luaL_checkudata(L, 1, k_decoder_class));
  if (!d->complete) return luaL_error(L, "decode not complete");
  push_result(L, 1);
  return 1;
}

int sjson_decoder(lua_State* L) {
  push_decoder(L, 1);
  return 1;
}

int sjson_decode(lua_State* L) {
  push_decoder(L, 2);
  if (decoder_write_at(L, lua_gettop(L), 1) != 1)
    return luaL_error(L, "Incomplete JSON object passed to sjson.decode");
  return 1;
}

// ============================================================================================
// Encoder. The firmware's chunk maker produces everything that is left in one go, so the
// whole text is made at the first read (function values are called then) and handed out in
// slices. Its environment table holds root (the table) and null (the string meaning null).

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
      luaL_error(L, "Cannot encode type %d", type);
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
  if (level >= k_encoder_levels) luaL_error(L, "encoder stack overflow");
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

// __gc of both classes. A script can call __gc itself (getmetatable(x).__gc(x)), even from a
// callback of the very call that is using the object: refused then, the collector never sees
// such an object (it is on the caller's stack).
int decoder_gc(lua_State* L) {
  if (!lua::is_finalized_by(L, decoder_gc)) return 0;
  if (static_cast<Decoder*>(lua_touserdata(L, 1))->feeding)
    return luaL_error(L, "sjson: the decoder is busy");
  lua::take_for_gc<Decoder>(L, decoder_gc)->~Decoder();
  return 0;
}

int encoder_gc(lua_State* L) {
  if (!lua::is_finalized_by(L, encoder_gc)) return 0;
  auto* e = static_cast<Encoder*>(lua_touserdata(L, 1));
  if (e->generating) return luaL_error(L, "sjson: the encoder is busy");
  lua::take_for_gc<Encoder>(L, encoder_gc)->~Encoder();
  return 0;
}

int sjson_encoder(lua_State* L) {
  return push_encoder(L);
}

int sjson_encode(lua_State* L) {
  push_encoder(L);
  return encoder_read_at(L, lua_gettop(L), k_encode_read);
}

}  // namespace

int open_sjson(lua_State* L) {
  static const luaL_Reg decoder_methods[] = {{"write", decoder_write},
                                             {"result", decoder_result},
                                             {"__gc", decoder_gc},
                                             {nullptr, nullptr}};
  lua::new_class(L, k_decoder_class, decoder_methods);
  static const luaL_Reg encoder_methods[] = {
      {"read", encoder_read}, {"__gc", encoder_gc}, {nullptr, nullptr}};
  lua::new_class(L, k_encoder_class, encoder_methods);
  static const luaL_Reg functions[] = {{"encode", sjson_encode},
                                       {"decode", sjson_decode},
                                       {"encoder", sjson_encoder},
                                       {"decoder", sjson_decoder},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  // The docs' sjson.NULL: the light userdata the decoder gives for null by default.
  lua_pushlightuserdata(L, nullptr);
  lua_setfield(L, -2, "NULL");
  return 1;
}

}  // namespace nodemcu_emu::modules
