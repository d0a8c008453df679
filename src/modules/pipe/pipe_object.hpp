// The pipe userdata: the byte records plus the reader-task state of app/modules/pipe.c. The
// reader function itself lives in the userdata's environment table (slot 1), where the
// collector sees it: a reader that closes over its own pipe then forms no uncollectable cycle.
#pragma once

#include "lua/lua.hpp"
#include "modules/pipe/pipe_buffer.hpp"

namespace nodemcu_emu::modules::pipe {

// pipe.c's CB state bits (UVstate). not_used: a pipe without reader.
enum State : int { k_not_used = 0, k_active = 1, k_write_updated = 2, k_quiescent = 4 };

struct Pipe {
  PipeBuffer buffer;
  int priority = -1;  // the reader task's priority
  int state = k_not_used;
};

constexpr const char* k_metatable = "nodemcu.pipe";

// The pipe at `index`, or an argument error "pipe table" as checkPipeTable raises it.
Pipe& check_pipe(lua_State* L, int index);

// After a write: posts the reader task as pipe_write_and_read_poster does.
void note_write(lua_State* L, int index, Pipe& p);
// The C function a reader task runs (it calls the script's reader with the pipe).
int run_reader(lua_State* L);

}  // namespace nodemcu_emu::modules::pipe
