#include "modules/emu/lua_model.hpp"

#include "lua/call.hpp"

namespace nodemcu_emu::modules {

namespace {

struct Call {
  const LuaModel* model;
  const char* method;
  long long arg;
  long long result;
  bool found;
};

// Runs under lua_cpcall: every push may raise (out of memory) without crossing C++ frames.
int call_protected(lua_State* L) {
  auto* c = static_cast<Call*>(lua_touserdata(L, 1));
  lua_settop(L, 0);
  lua_pushcfunction(L, lua::traceback_handler);
  c->model->push_table(L);
  lua_getfield(L, 2, c->method);
  if (!lua_isfunction(L, 3)) return 0;
  c->found = true;
  lua_pushvalue(L, 2);
  int nargs = 1;
  if (c->arg >= 0) {
    lua_pushinteger(L, static_cast<lua_Integer>(c->arg));
    ++nargs;
  }
  if (lua_pcall(L, nargs, 1, 1) != 0) lua_error(L);  // with its traceback, to lua_cpcall
  if (lua_isboolean(L, -1)) c->result = lua_toboolean(L, -1);
  else if (lua_isnumber(L, -1)) c->result = static_cast<long long>(lua_tonumber(L, -1));
  else c->result = 0;
  return 0;
}

}  // namespace

LuaModel::LuaModel(const core::Clock& clock, lua_State* L, int index, core::board::Board& board)
    : Model(clock), L_(L), table_(L, index), board_(board) {}

long long LuaModel::call(const char* method, long long arg, long long fallback) {
  if (!table_) return fallback;
  Call c{this, method, arg, fallback, false};
  int status = lua_cpcall(L_, call_protected, &c);
  if (status != 0) {
    lua::collect_after_memory_error(L_, status);
    board_.fault(lua::error_text(L_, -1));
    lua_pop(L_, 1);
    return fallback;
  }
  return c.found ? c.result : fallback;
}

}  // namespace nodemcu_emu::modules
