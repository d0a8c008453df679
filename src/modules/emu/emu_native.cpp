// The native half of the `emu` test helper (lua/emu.lua): facts about the emulator itself
// that no firmware module reports. Not a device module: it is only reachable through require.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <string_view>

#include "core/device.hpp"
#include "lua/ref.hpp"
#include "modules/emu/why_stopped.hpp"

namespace nodemcu_emu::modules {

void register_emu_attach(lua_State* L);  // emu_attach.cpp
int open_emu_peer(lua_State* L);     // emu_peer.cpp
int open_emu_tracing(lua_State* L);  // emu_trace.cpp

namespace {
// Native objects (TCP/UDP sockets, servers) still alive, whatever Lua holds.
int live_objects(lua_State* L) {
  lua_pushinteger(L, static_cast<lua_Integer>(core::Device::from(L).live_natives()));
  return 1;
}

// The Clock in seconds (virtual or real), for tests that measure elapsed device time.
int clock_seconds(lua_State* L) {
  lua_pushnumber(L, static_cast<lua_Number>(core::Device::from(L).loop().now().count()) / 1e6);
  return 1;
}

// The Clock in microseconds (an integer in a double: exact for 285 years).
int now_us(lua_State* L) {
  lua_pushnumber(L, static_cast<lua_Number>(core::Device::from(L).loop().now().count()));
  return 1;
}

// step(limit_us): one turn of the event loop from inside a script (emu.advance, emu.run_until):
// handlers and timers run meanwhile, as they would between two tasks. False once the Clock has
// reached limit_us with nothing due, or the emulator is stopping, or the device has halted
// (node.restart, a fatal error): its teardown closes this Lua state on a later turn, which
// must not run under the script that called step.
// With false comes why, when it is not the limit: "halted: node.restart()" and the like, or
// "stopping" (the emulator is exiting).
int step(lua_State* L) {
  auto limit = core::Micros(static_cast<long long>(luaL_checknumber(L, 1)));
  core::Device& d = core::Device::from(L);
  if (!d.halted() && d.loop().step(limit) && !d.halted()) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushboolean(L, 0);
  if (const char* why = why_stopped(d)) {
    lua_pushstring(L, why);
    return 2;
  }
  return 1;
}

// heap_used(): after a full collection, the bytes the Lua heap holds (the counting allocator's
// figure, libraries included).
int heap_used(lua_State* L) {
  lua_gc(L, LUA_GCCOLLECT, 0);
  lua_pushnumber(L, static_cast<lua_Number>(core::Device::from(L).heap_used()));
  return 1;
}

// heap_exclude(bytes): node.heap() no longer counts `bytes` (a test framework's growth).
int heap_exclude(lua_State* L) {
  core::Device::from(L).exclude_from_heap(static_cast<long long>(luaL_checknumber(L, 1)));
  return 0;
}

// heap_rebase(): node.heap() counts from here, as if the device had just booted.
int heap_rebase(lua_State* L) {
  lua_gc(L, LUA_GCCOLLECT, 0);
  core::Device::from(L).rebase_heap();
  return 0;
}

// set_case_error_hook(fn | nil): while a case runs, errors in callbacks that would reboot the
// device go to fn (core::Device::set_case_error_hook) and fail that case instead.
int set_case_error_hook(lua_State* L) {
  core::Device::from(L).set_case_error_hook(lua_isfunction(L, 1) ? lua::Ref(L, 1) : lua::Ref());
  return 0;
}

// post(fn): fn() from the low-priority task queue, as node.task.post(LOW_PRIORITY, fn) runs it,
// but never refused: the runner's turns between cases must not fail on a queue the app filled
// (node.task.post's eight tasks, core::TaskQueue::k_queue_length).
int post(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua::Ref ref(L, 1);  // may raise: before anything else exists
  core::Device::from(L).post_call(core::TaskQueue::low, std::move(ref), core::Protection::pcallx);
  return 0;
}

// The emulator's own executable (/proc/self/exe), so that emu.run can start another device
// without $NODEMCU_EMU; nil where the kernel does not say.
int executable(lua_State* L) {
  char path[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof path) {
    lua_pushnil(L);
  } else {
    lua_pushlstring(L, path, static_cast<std::size_t>(n));
  }
  return 1;
}

// free_port("tcp" | "udp"): a port the kernel gives out on 127.0.0.1 now (bound, read,
// released), for a test's child emulator or a --port-map; nil if the kernel says no.
int free_port(lua_State* L) {
  bool tcp = std::string_view(luaL_optstring(L, 1, "udp")) == "tcp";
  int fd = ::socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  bool ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  if (fd >= 0) ::close(fd);
  if (ok)
    lua_pushinteger(L, ntohs(address.sin_port));
  else
    lua_pushnil(L);
  return 1;
}

int open_emu_native(lua_State* L) {
  static const luaL_Reg functions[] = {{"live_objects", live_objects},
                                       {"clock", clock_seconds},
                                       {"set_case_error_hook", set_case_error_hook},
                                       {"executable", executable},
                                       {"free_port", free_port},
                                       {"now_us", now_us},
                                       {"step", step},
                                       {"heap_used", heap_used},
                                       {"heap_exclude", heap_exclude},
                                       {"heap_rebase", heap_rebase},
                                       {"post", post},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

// `require "emu.board"`: emu.attach's half (lua/emu_attach.lua), apart so that tests that
// attach nothing do not pay for it in the device's heap.
int open_emu_board(lua_State* L) {
  lua_newtable(L);
  register_emu_attach(L);
  return 1;
}
}  // namespace

// Registers `require "emu.native"`, `require "emu.board"`, `require "emu.peer"` and
// `require "emu.tracing"`: loaded when a test asks, so that tests pay for what they use.
void preload_emu_native(lua_State* L) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "preload");
  const luaL_Reg preloads[] = {{"emu.native", open_emu_native},
                               {"emu.board", open_emu_board},
                               {"emu.peer", open_emu_peer},
                               {"emu.tracing", open_emu_tracing}};
  for (const auto& p : preloads) {
    lua_pushcfunction(L, p.func);
    lua_setfield(L, -2, p.name);
  }
  lua_pop(L, 2);
}

}  // namespace nodemcu_emu::modules
