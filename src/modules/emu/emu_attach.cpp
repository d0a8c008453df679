// emu.attach and the handle's methods (lua/emu.lua wraps these): wire simulated devices from a
// test, read their state, set or script their readings over the Clock.
#include <string>
#include <vector>

#include "core/device.hpp"
#include "devices/catalog.hpp"
#include "lua/protected_push.hpp"
#include "lua/ref.hpp"
#include "modules/emu/lua_model.hpp"

namespace nodemcu_emu::modules {

namespace {

core::board::Board& board_of(lua_State* L) { return core::Device::from(L).board(); }
const core::Clock& clock_of(lua_State* L) { return core::Device::from(L).loop().clock(); }

// Raises the error text in `error` once the caller's frame holds nothing to destroy: push it
// protected, then the caller returns lua_error(L).
void push_error(lua_State* L, const std::string& error) { lua::protected_push(L, error); }

// attach(spec [, options]): options is a table of KEY=VALUE (numbers or strings), applied after
// the spec's own. Returns the attachment id.
int attach(lua_State* L) {
  size_t n = 0;
  const char* text = luaL_checklstring(L, 1, &n);
  bool has_options = lua_istable(L, 2);
  int id = 0;
  {
    std::string error;
    auto spec = devices::parse_attach_spec(std::string_view(text, n), error);
    if (spec && has_options) {
      lua_pushnil(L);
      while (lua_next(L, 2) != 0) {
        // The value is copied out before lua_next may run again (tostring would convert a number
        // key in place and confuse the traversal: keys are only read, never converted).
        if (lua_type(L, -2) == LUA_TSTRING && (lua_isnumber(L, -1) || lua_isstring(L, -1)))
          spec->options.emplace_back(lua_tostring(L, -2), lua_tostring(L, -1));
        lua_pop(L, 1);
      }
    }
    if (spec) id = devices::attach(board_of(L), clock_of(L), *spec, error);
    if (id == 0) push_error(L, error);
  }
  if (id == 0) return lua_error(L);
  lua_pushinteger(L, id);
  return 1;
}

// attach_lua(bus, index, address|nil, model, multi_drop): a model written in Lua.
int attach_lua(lua_State* L) {
  const char* bus = luaL_checkstring(L, 1);
  int index = static_cast<int>(luaL_optinteger(L, 2, 0));
  bool has_address = !lua_isnoneornil(L, 3);
  long long address = has_address ? static_cast<long long>(luaL_checknumber(L, 3)) : 0;
  luaL_checktype(L, 4, LUA_TTABLE);
  bool multi_drop = lua_toboolean(L, 5) != 0;
  // The model's registry reference may need memory (a Lua error): take a slot now, while this
  // frame holds nothing to destroy, and free it just before the model takes it back.
  lua_pushvalue(L, 4);
  int slot = lua::registry_ref(L);
  luaL_unref(L, LUA_REGISTRYINDEX, slot);
  int id = 0;
  {
    std::string error;
    core::board::Location at{bus, index, std::nullopt};
    if (has_address) at.address = address;
    auto& board = board_of(L);
    auto model = std::make_shared<LuaModel>(clock_of(L), L, 4, board);
    id = board.add(std::move(at), std::move(model), multi_drop, true, error);
    if (id == 0) push_error(L, error);
  }
  if (id == 0) return lua_error(L);
  lua_pushinteger(L, id);
  return 1;
}

const core::board::Attachment& check_attachment(lua_State* L, int arg) {
  const auto* a = board_of(L).get(static_cast<int>(luaL_checkinteger(L, arg)));
  if (a == nullptr) luaL_error(L, "device is not attached (detached, or gone with a reboot)");
  return *a;
}

int detach(lua_State* L) {
  lua_pushboolean(L, board_of(L).remove(static_cast<int>(luaL_checkinteger(L, 1))));
  return 1;
}

struct StateBuild {
  const core::board::State* state;
};

void build_state(lua_State* L, void* data) {
  const auto& state = *static_cast<StateBuild*>(data)->state;
  lua_createtable(L, 0, static_cast<int>(state.size()));
  for (const auto& [key, value] : state) {
    if (const double* d = std::get_if<double>(&value)) lua_pushnumber(L, *d);
    else if (const std::string* s = std::get_if<std::string>(&value)) lua_pushlstring(L, s->data(), s->size());
    else lua_pushboolean(L, std::get<bool>(value));
    lua_setfield(L, -2, key.c_str());
  }
}

// state(id): the model's readings and what it describes; a Lua model's own table.
int state(lua_State* L) {
  const auto& a = check_attachment(L, 1);
  if (auto* lua_model = dynamic_cast<LuaModel*>(a.model.get())) {
    lua_model->push_table(L);
    return 1;
  }
  bool ok;
  {
    core::board::State s = a.model->state();
    StateBuild b{&s};
    ok = lua::protected_build(L, build_state, &b);
  }
  if (!ok) return lua_error(L);
  return 1;
}

// where(id): "i2c:0x76", the kind.
int where(lua_State* L) {
  const auto& a = check_attachment(L, 1);
  bool ok;
  {
    std::string text = a.at.to_string();
    ok = lua::protected_push(L, text);
  }
  if (!ok) return lua_error(L);
  lua_pushlstring(L, a.model->kind().data(), a.model->kind().size());
  return 2;
}

// set(id, key, value): a reading's constant value, or a model option.
int set(lua_State* L) {
  const auto& a = check_attachment(L, 1);
  const char* key = luaL_checkstring(L, 2);
  const char* value = luaL_checkstring(L, 3);  // numbers convert, as on the command line
  bool ok;
  {
    std::string error = devices::apply_option(*a.model, key, value);
    ok = error.empty();
    if (!ok) push_error(L, error);
  }
  if (!ok) return lua_error(L);
  return 0;
}

// script(id, name, {{seconds, value}, ...}, "linear"|"step"): keyframes from now on the Clock.
int script(lua_State* L) {
  const auto& a = check_attachment(L, 1);
  const char* name = luaL_checkstring(L, 2);
  luaL_checktype(L, 3, LUA_TTABLE);
  const char* shape_name = luaL_optstring(L, 4, "linear");
  auto shape = core::board::Readings::Shape::linear;
  if (std::string_view(shape_name) == "step") shape = core::board::Readings::Shape::step;
  else if (std::string_view(shape_name) != "linear") return luaL_argerror(L, 4, "linear or step");
  if (!a.model->readings().has(name)) return luaL_error(L, "%s has no reading '%s'", a.model->kind().data(), name);
  int count = static_cast<int>(lua_objlen(L, 3));
  if (count == 0) return luaL_argerror(L, 3, "no keyframes");
  for (int i = 1; i <= count; ++i) {
    lua_rawgeti(L, 3, i);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    if (!lua_isnumber(L, -2) || !lua_isnumber(L, -1))
      return luaL_argerror(L, 3, "keyframes are {seconds, value}");
    lua_pop(L, 3);
  }
  core::Micros now = core::Device::from(L).loop().now();
  {
    std::vector<core::board::Readings::Keyframe> frames;
    frames.reserve(static_cast<std::size_t>(count));
    for (int i = 1; i <= count; ++i) {
      lua_rawgeti(L, 3, i);
      lua_rawgeti(L, -1, 1);
      lua_rawgeti(L, -2, 2);
      frames.push_back({now + core::Micros(static_cast<long long>(lua_tonumber(L, -2) * 1e6)),
                        lua_tonumber(L, -1)});
      lua_pop(L, 3);
    }
    a.model->readings().script(name, std::move(frames), shape);
  }
  return 0;
}

}  // namespace

// Adds the attach functions to the table on top of the stack (`require "emu.board"`).
void register_emu_attach(lua_State* L) {
  static const luaL_Reg functions[] = {{"attach", attach}, {"attach_lua", attach_lua},
                                       {"detach", detach}, {"state", state},
                                       {"where", where},   {"set", set},
                                       {"script", script}, {nullptr, nullptr}};
  luaL_register(L, nullptr, functions);
}

}  // namespace nodemcu_emu::modules
