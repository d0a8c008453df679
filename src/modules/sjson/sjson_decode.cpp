// sjson's decoder: sjson.decoder, sjson.decode (spec/others.md "sjson", app/modules/sjson.c).
//
// Parses with RapidJSON (json_stream.hpp) and builds Lua values event by event, in the order the
// firmware does: a table is created, given the metatable, offered to checkpath, and stored in
// its parent before its contents arrive. Every Lua step runs under lua_cpcall so that a Lua
// error (from __newindex, checkpath, memory) never unwinds through RapidJSON's C++ frames; it is
// raised again once the parser is gone.
//
// Options quirk kept from the firmware: `depth` is read with lua_tointeger on the options table
// itself, so it is always the default (20) whatever the script asks.
#include <string_view>
#include <vector>

#include "lua/ref.hpp"
#include "lua/userdata.hpp"
#include "modules/sjson/json_stream.hpp"
#include "modules/sjson/sjson_errors.hpp"
#include "modules/sjson/sjson_parts.hpp"

namespace nodemcu_emu::sjson {

namespace {

constexpr const char* k_decoder_class = "sjson.decoder";

// Its Lua values live in the userdata's environment table: result (the table whose [1] is the
// document), null, metatable, path (when the metatable has checkpath), stack (the open
// containers by level), key (the object key waiting for its value).
struct Decoder {
  struct Frame {
    bool array;
    lua_Integer used = 0;  // elements stored so far in an array
  };
  StreamParser parser;
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

class LuaSink : public EventSink {
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

StreamParser::Status feed(lua_State* L, Decoder* d, int env_ref, std::string_view chunk) {
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
  if (d->failed) return luaL_error(L, errors::k_previous_call);
  if (d->feeding) return luaL_error(L, errors::k_decoder_feeding);
  if (!d->complete) {
    lua_getfenv(L, decoder_index);
    int env_ref = lua::registry_ref(L);
    d->feeding = true;
    auto status = feed(L, d, env_ref, {s, len});
    d->feeding = false;
    luaL_unref(L, LUA_REGISTRYINDEX, env_ref);
    if (status == StreamParser::Status::stopped) {
      d->failed = true;
      return lua_error(L);  // the callback's own error, left on the stack
    }
    if (status == StreamParser::Status::error) {
      d->failed = true;
      return luaL_error(L, errors::k_parse_error, d->parser.error().c_str());
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
  if (!d->complete) return luaL_error(L, errors::k_not_complete);
  push_result(L, 1);
  return 1;
}

// __gc. A script can call __gc itself (getmetatable(x).__gc(x)), even from a callback of the
// very write that is using the decoder: refused then, the collector never sees such an object
// (it is on the caller's stack).
int decoder_gc(lua_State* L) {
  if (!lua::is_finalized_by(L, decoder_gc)) return 0;
  if (static_cast<Decoder*>(lua_touserdata(L, 1))->feeding)
    return luaL_error(L, errors::k_decoder_busy);
  lua::take_for_gc<Decoder>(L, decoder_gc)->~Decoder();
  return 0;
}

}  // namespace

int decoder(lua_State* L) {
  push_decoder(L, 1);
  return 1;
}

int decode(lua_State* L) {
  push_decoder(L, 2);
  if (decoder_write_at(L, lua_gettop(L), 1) != 1) return luaL_error(L, errors::k_incomplete);
  return 1;
}

void open_decoder(lua_State* L) {
  static const luaL_Reg methods[] = {{"write", decoder_write},
                                     {"result", decoder_result},
                                     {"__gc", decoder_gc},
                                     {nullptr, nullptr}};
  lua::new_class(L, k_decoder_class, methods);
}

}  // namespace nodemcu_emu::sjson
