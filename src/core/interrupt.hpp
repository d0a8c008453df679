// SIGINT/SIGTERM while Lua runs, the way lua.c handles them: the signal handler sets a Lua hook
// on every device's state, and the hook raises "interrupted!" at the next call, return or
// instruction. The event loop then stops (see EventLoop::stop_on_signals).
//
// Signal dispositions are process-wide, so this is the one piece of process-wide state: the
// handler can only reach what it finds in static storage.
#pragma once

#include "lua/lua.hpp"

namespace nodemcu_emu::core::interrupt {

// Installs the SIGINT/SIGTERM handler (once per process). Returns the read end of a pipe that
// becomes readable when a signal arrived, so an idle loop wakes up.
int install();

// The signal received (SIGINT or SIGTERM), or 0.
int pending();

// Exit status for a stop by signal: 128 + the signal, as a shell reports it, when the signal
// stopped running Lua code (a busy script, tmr.delay); 0 when the device was idle.
int exit_status();

// Lua states the handler hooks. A state must be forgotten before lua_close.
void watch(lua_State* L);
void forget(lua_State* L);

// The hook clears itself when it raises, so that message handlers and tracebacks run; a pcall
// that caught the error arms it again, so no script can swallow the interruption.
void rearm(lua_State* L);

// Sleeps `us` microseconds of real time, in short slices so that a signal ends it early (false).
bool sleep_unless_interrupted(long long us);

}  // namespace nodemcu_emu::core::interrupt
