// emu.trace() (lua/emu_trace.lua wraps this: require "emu.tracing"): a recording of the
// device's trace events for a test to assert on (core/trace_recording.hpp).
#include <memory>

#include "core/device.hpp"
#include "core/trace_recording.hpp"
#include "lua/userdata.hpp"

namespace nodemcu_emu::modules {

namespace {

constexpr char k_class[] = "emu.trace";

struct RecordingHandle {
  std::unique_ptr<core::TraceRecording> recording;
  explicit RecordingHandle(std::unique_ptr<core::TraceRecording> r) : recording(std::move(r)) {}
};

core::TraceRecording& check_recording(lua_State* L) {
  auto* h = lua::test_userdata<RecordingHandle>(L, 1, k_class);
  if (h == nullptr || !h->recording) luaL_typerror(L, 1, k_class);
  return *h->recording;
}

// The in-process peers' events (peer#N) are left out unless asked for: they are the test's,
// not the app's.
bool is_peer(std::string_view subject) { return subject.substr(0, 5) == "peer#"; }

// start([with_peers]): a new recording, from now on.
int start(lua_State* L) {
  bool with_peers = lua_toboolean(L, 1) != 0;
  core::Trace& trace = core::Device::from(L).trace();
  lua::new_userdata_from<RecordingHandle>(L, k_class, [&] {
    core::TraceRecording::Filter filter;
    if (!with_peers) filter = [](std::string_view subject) { return !is_peer(subject); };
    return std::make_unique<core::TraceRecording>(trace, std::move(filter));
  });
  return 1;
}

void push_event(lua_State* L, const core::TraceRecording::Event& e) {
  lua_createtable(L, 0, 3 + static_cast<int>(e.fields.size()));
  for (const auto& [key, value] : e.fields) {
    if (auto* n = std::get_if<long long>(&value))
      lua_pushnumber(L, static_cast<lua_Number>(*n));
    else
      lua_pushlstring(L, std::get<std::string>(value).data(), std::get<std::string>(value).size());
    lua_setfield(L, -2, key.c_str());
  }
  // After the fields: these three are the record's, whatever a field is called.
  lua_pushnumber(L, static_cast<lua_Number>(e.t.count()) / 1000.0);
  lua_setfield(L, -2, "t");
  lua_pushlstring(L, e.subject.data(), e.subject.size());
  lua_setfield(L, -2, "obj");
  lua_pushlstring(L, e.event.data(), e.event.size());
  lua_setfield(L, -2, "ev");
}

// rec:since(n): a list of the events recorded after the first n, oldest first.
int since(lua_State* L) {
  const auto& events = check_recording(L).events();
  lua_Integer from = luaL_optinteger(L, 2, 0);
  if (from < 0) from = 0;
  lua_newtable(L);
  int i = 0;
  for (auto k = static_cast<std::size_t>(from); k < events.size(); ++k) {
    push_event(L, events[k]);
    lua_rawseti(L, -2, ++i);
  }
  return 1;
}

int count(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(check_recording(L).events().size()));
  return 1;
}

int clear(lua_State* L) {
  check_recording(L).clear();
  return 0;
}

int stop(lua_State* L) {
  check_recording(L).stop();
  return 0;
}

int recording(lua_State* L) {
  lua_pushboolean(L, check_recording(L).recording());
  return 1;
}

}  // namespace

// `require "emu.tracing"` (registered by emu_native.cpp).
int open_emu_tracing(lua_State* L) {
  static const luaL_Reg methods[] = {{"since", since},
                                     {"count", count},
                                     {"clear", clear},
                                     {"stop", stop},
                                     {"recording", recording},
                                     {"__gc", lua::destroy_userdata<RecordingHandle>},
                                     {nullptr, nullptr}};
  lua::new_class(L, k_class, methods);
  lua_newtable(L);
  lua_pushcfunction(L, start);
  lua_setfield(L, -2, "start");
  return 1;
}

}  // namespace nodemcu_emu::modules
