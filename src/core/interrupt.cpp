#include "core/interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

namespace nodemcu_emu::core::interrupt {

namespace {
// Fleet mode has one state per device; beyond this many, a device is stopped by the loop only
// (a second signal still ends the process, see on_signal).
constexpr std::size_t k_max_states = 256;

std::array<std::atomic<lua_State*>, k_max_states> g_states{};
std::atomic<int> g_signal{0};
std::atomic<bool> g_delivered{false};  // the hook fired: Lua code was running
std::atomic<bool> g_installed{false};
int g_pipe[2] = {-1, -1};

void raise_interrupted(lua_State* L, lua_Debug*) {
  g_delivered = true;
  lua_sethook(L, nullptr, 0, 0);
  luaL_error(L, "interrupted!");
}

void hook(lua_State* L) {
  lua_sethook(L, raise_interrupted, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

// Async-signal-safe: atomics, lua_sethook (what lua.c's handler calls), write and _exit.
void on_signal(int signo) {
  int expected = 0;
  if (!g_signal.compare_exchange_strong(expected, signo)) {
    // A second signal while the first is still pending: something (a busy loop inside a
    // coroutine, whose thread has no hook) does not give control back. End at once.
    ::_exit(128 + signo);
  }
  for (auto& slot : g_states) {
    lua_State* L = slot.load();
    if (L != nullptr) hook(L);
  }
  char byte = 1;
  [[maybe_unused]] auto n = ::write(g_pipe[1], &byte, 1);
}
}  // namespace

int install() {
  if (g_installed.exchange(true)) return g_pipe[0];
  if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  return g_pipe[0];
}

int pending() { return g_signal.load(); }

int exit_status() {
  int signo = g_signal.load();
  return signo != 0 && g_delivered.load() ? 128 + signo : 0;
}

void watch(lua_State* L) {
  for (auto& slot : g_states) {
    lua_State* expected = nullptr;
    if (slot.compare_exchange_strong(expected, L)) break;
  }
  if (pending()) hook(L);
}

void forget(lua_State* L) {
  for (auto& slot : g_states) {
    lua_State* expected = L;
    slot.compare_exchange_strong(expected, nullptr);
  }
  // lua_close runs every __gc: none of them may be interrupted.
  lua_sethook(L, nullptr, 0, 0);
}

void rearm(lua_State* L) {
  if (pending()) hook(L);
}

bool sleep_unless_interrupted(long long us) {
  using namespace std::chrono;
  constexpr long long k_slice_us = 10000;  // well under the 100 ms a signal may take to act
  auto end = steady_clock::now() + microseconds(us);
  while (!pending()) {
    auto left = duration_cast<microseconds>(end - steady_clock::now()).count();
    if (left <= 0) return true;
    std::this_thread::sleep_for(microseconds(std::min<long long>(left, k_slice_us)));
  }
  return false;
}

}  // namespace nodemcu_emu::core::interrupt
