// pipe (3.x): a FIFO of bytes between tasks, with an optional reader task
// (app/modules/pipe.c, docs/modules/pipe.md). Thin binding over PipeBuffer.
#include "modules/pipe/pipe.hpp"

#include <optional>
#include <string>

#include "lua/protected_push.hpp"
#include "lua/userdata.hpp"
#include "modules/pipe/pipe_errors.hpp"
#include "modules/pipe/pipe_object.hpp"

namespace nodemcu_emu::modules::pipe {

Pipe& check_pipe(lua_State* L, int index) {
  Pipe* p = lua::test_userdata<Pipe>(L, index, k_metatable);
  if (p == nullptr) luaL_argerror(L, index, errors::k_pipe_table);
  return *p;
}

namespace {

constexpr int k_task_low = 0, k_task_medium = 1, k_task_high = 2;

// getsize_delim: a positive count, nil (up to "\n", stripped), "c" or "c+" (kept).
PipeBuffer::Until check_until(lua_State* L, int index) {
  if (lua_type(L, index) == LUA_TNUMBER) {
    lua_Integer n = luaL_checkinteger(L, index);
    luaL_argcheck(L, n > 0, index, errors::k_invalid_chunk_size);
    return {PipeBuffer::Until::count, static_cast<std::size_t>(n), '\0'};
  }
  if (lua_isnoneornil(L, index)) return {PipeBuffer::Until::delimiter, 0, '\n'};
  // pipe.md says the default is "\n+", but pipe.c strips the "\n": we do what pipe.c does.
  std::size_t len = 0;
  const char* s = lua_type(L, index) == LUA_TSTRING ? lua_tolstring(L, index, &len) : nullptr;
  bool kept = s != nullptr && len == 2 && s[1] == '+';
  luaL_argcheck(L, s != nullptr && (len == 1 || kept), index, errors::k_invalid_delimiter);
  return {kept ? PipeBuffer::Until::delimiter_kept : PipeBuffer::Until::delimiter, 0, s[0]};
}

// The string argument of write and unread: checked before the pipe, as pipe.c does; an empty
// string is accepted from anything (pipe.c returns before checking the pipe).
bool check_bytes(lua_State* L, std::string_view& bytes) {
  std::size_t len = 0;
  const char* s = lua_tolstring(L, 2, &len);
  if (s != nullptr && len == 0) return false;
  luaL_argcheck(L, s != nullptr, 2, errors::k_must_be_a_string);
  bytes = std::string_view(s, len);
  return true;
}

// Pushes the record (or nil); false with the error pushed. The record is a C++ string: the
// caller raises once it is gone.
bool push_record(lua_State* L, Pipe& p, PipeBuffer::Until until) {
  std::optional<std::string> rec = p.buffer.read(until);
  if (!rec) {
    lua_pushnil(L);
    return true;
  }
  return lua::protected_push(L, *rec);
}

int pipe_read_at(lua_State* L, int pipe_index, int until_index) {
  Pipe& p = check_pipe(L, pipe_index);
  PipeBuffer::Until until = check_until(L, until_index);
  if (!push_record(L, p, until)) return lua_error(L);
  return 1;
}

int pipe_read(lua_State* L) { return pipe_read_at(L, 1, 2); }

int pipe_read_upvalues(lua_State* L) {
  return pipe_read_at(L, lua_upvalueindex(1), lua_upvalueindex(2));
}

// Lua: fn = pobj:reader([size|delim]): an iterator reading with the same argument each time.
int pipe_reader(lua_State* L) {
  lua_settop(L, 2);
  check_pipe(L, 1);
  check_until(L, 2);
  lua_pushcclosure(L, pipe_read_upvalues, 2);
  return 1;
}

int pipe_write(lua_State* L) {
  std::string_view bytes;
  if (!check_bytes(L, bytes)) return 0;
  Pipe& p = check_pipe(L, 1);
  p.buffer.write(bytes);
  note_write(L, 1, p);
  return 0;
}

int pipe_unread(lua_State* L) {
  std::string_view bytes;
  if (!check_bytes(L, bytes)) return 0;
  check_pipe(L, 1).buffer.unread(bytes);
  return 0;
}

// pipe.c returns lua_objlen(T) - 1 without checking T.
int pipe_nrec(lua_State* L) {
  Pipe* p = lua::test_userdata<Pipe>(L, 1, k_metatable);
  lua_pushinteger(L, p ? static_cast<lua_Integer>(p->buffer.records())
                       : static_cast<lua_Integer>(lua_objlen(L, 1)) - 1);
  return 1;
}

// #pobj: the firmware's pipe is an array of the reader slot plus one entry per record.
int pipe_len(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(check_pipe(L, 1).buffer.records()) + 1);
  return 1;
}

int pipe_tostring(lua_State* L) {
  lua_pushfstring(L, "Pipe: %p", lua_topointer(L, 1));
  return 1;
}

}  // namespace

int create(lua_State* L) {
  lua_settop(L, 2);
  int priority = -1;
  if (!lua_isnil(L, 1)) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_Integer prio = lua_isnil(L, 2) ? k_task_medium : lua_tointeger(L, 2);
    luaL_argcheck(L, prio >= k_task_low && prio <= k_task_high, 2, errors::k_invalid_priority);
    priority = static_cast<int>(prio);
  }
  Pipe* p = lua::new_userdata<Pipe>(L, k_metatable);
  p->priority = priority;
  p->state = priority == -1 ? k_not_used : k_quiescent;
  lua_createtable(L, 1, 0);  // the environment: slot 1 is the reader (nil without one)
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, 1);
  lua_setfenv(L, -2);
  return 1;
}

}  // namespace nodemcu_emu::modules::pipe

namespace nodemcu_emu::modules {

int open_pipe(lua_State* L) {
  static const luaL_Reg methods[] = {
      {"read", pipe::pipe_read},     {"reader", pipe::pipe_reader},
      {"unread", pipe::pipe_unread}, {"write", pipe::pipe_write},
      {"nrec", pipe::pipe_nrec},     {"__len", pipe::pipe_len},
      {"__tostring", pipe::pipe_tostring},
      {"__gc", lua::destroy_userdata<pipe::Pipe>},
      {nullptr, nullptr}};
  lua::new_class(L, pipe::k_metatable, methods);
  static const luaL_Reg functions[] = {{"create", pipe::create}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
