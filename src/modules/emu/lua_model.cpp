#include "modules/emu/lua_model.hpp"

#include "core/device.hpp"
#include "lua/call.hpp"

namespace nodemcu_emu::modules {

namespace {

struct Call {
  const LuaModel* model;
  const char* method;
  LuaModel::Arg args[2];
  std::string* bytes;
  long long result;
  bool found;
};

void push_arg(lua_State* L, const LuaModel::Arg& a) {
  if (a.type == LuaModel::Arg::Type::integer)
    lua_pushinteger(L, static_cast<lua_Integer>(a.integer));
  else
    lua_pushlstring(L, a.bytes.data(), a.bytes.size());
}

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
  for (const auto& a : c->args) {
    if (a.type == LuaModel::Arg::Type::none) break;
    push_arg(L, a);
    ++nargs;
  }
  if (lua_pcall(L, nargs, 1, 1) != 0) lua_error(L);  // with its traceback, to lua_cpcall
  if (c->bytes != nullptr && lua_type(L, -1) == LUA_TSTRING) {
    std::size_t n = 0;
    const char* p = lua_tolstring(L, -1, &n);
    c->bytes->assign(p, n);
    c->result = 1;
  } else if (lua_isboolean(L, -1)) {
    c->result = lua_toboolean(L, -1);
  } else if (lua_isnumber(L, -1)) {
    c->result = static_cast<long long>(lua_tonumber(L, -1));
  } else {
    c->result = 0;
  }
  return 0;
}

}  // namespace

LuaModel::LuaModel(const core::Clock& clock, lua_State* L, int index, core::board::Board& board)
    : Model(clock), L_(L), table_(L, index), board_(board) {}

long long LuaModel::call(const char* method, Arg a, long long fallback, Arg b, std::string* bytes) {
  if (!table_) return fallback;
  Call c{this, method, {a, b}, bytes, fallback, false};
  int status = lua_cpcall(L_, call_protected, &c);
  if (status != 0) {
    lua::collect_after_memory_error(L_, status);
    board_.fault(lua::error_text(L_, -1));
    lua_pop(L_, 1);
    return fallback;
  }
  return c.found ? c.result : fallback;
}

long long LuaModel::uptime(core::Micros now) const {
  return (now - (core::Device::from(L_).loop().now() - core::Device::from(L_).uptime())).count();
}

std::optional<std::array<std::uint8_t, 5>> LuaModel::dht_respond(core::Micros low, core::Micros) {
  std::string frame;
  if (call("respond", low.count(), 0, Arg{}, &frame) == 0 || frame.size() != 5) {
    if (!frame.empty() && frame.size() != 5)
      board_.fault("dht model: respond must return 5 bytes or nil, got " +
                   std::to_string(frame.size()));
    return std::nullopt;
  }
  std::array<std::uint8_t, 5> out{};
  for (std::size_t i = 0; i < 5; ++i) out[i] = static_cast<std::uint8_t>(frame[i]);
  return out;
}

void LuaModel::ws2812_receive(const std::uint8_t* data, std::size_t n) {
  call("receive", std::string_view(reinterpret_cast<const char*>(data), n), 0);
}

}  // namespace nodemcu_emu::modules
