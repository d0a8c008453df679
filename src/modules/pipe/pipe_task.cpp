// pipe's reader task: when a write posts it, and whether it posts itself again
// (app/modules/pipe.c, pipe_write_and_read_poster).
#include <memory>

#include "core/device.hpp"
#include "modules/pipe/pipe_object.hpp"

namespace nodemcu_emu::modules::pipe {

namespace {

using core::Device;

// One Ref to run_reader per device: what every reader task dispatches.
struct PipeState {
  explicit PipeState(Device&) {}
  lua::Ref runner;
};

void runner(lua_State* L, Device& d) {
  auto& s = d.module_state<PipeState>();
  if (!s.runner) {
    lua_pushcfunction(L, run_reader);
    lua::Ref ref(L, -1);  // may raise before it exists: nothing to skip
    lua_pop(L, 1);
    s.runner = std::move(ref);
  }
}

// luaL_posttask of the pipe's reader. While posted, the task holds the pipe (the firmware's
// task holds the closure whose upvalue is the pipe): a pipe nobody else keeps is still read.
void post_reader(lua_State* L, int index, const Pipe& p) {
  Device& d = Device::from(L);
  runner(L, d);
  lua::Ref self(L, index);  // may raise: no object with a destructor is alive yet
  auto anchor = std::make_shared<lua::Ref>(std::move(self));
  d.tasks().post(p.priority, [&d, anchor] {
    // Looked up when it runs: module states are dropped at a reboot.
    d.dispatch(d.module_state<PipeState>().runner, core::Protection::pcallx, [&anchor](lua_State* S) {
      anchor->push(S);
      return 1;
    });
  });
}

}  // namespace

void note_write(lua_State* L, int index, Pipe& p) {
  if (p.state == k_not_used || (p.state & k_write_updated)) return;
  p.state |= k_write_updated;
  // pipe.c:177 tests `state == CB_QUIESCENT | CB_WRITE_UPDATED`, which C parses as
  // `(state == CB_QUIESCENT) | 2`: always true. So a write from inside the reader (state
  // active) posts the reader again too, and so do we.
  post_reader(L, index, p);
}

int run_reader(lua_State* L) {
  Pipe& p = check_pipe(L, 1);
  lua_settop(L, 1);
  int entry_state = p.state;
  p.state = k_active;
  lua_getfenv(L, 1);
  lua_rawgeti(L, -1, 1);
  lua_pushvalue(L, 1);
  lua_call(L, 1, 1);  // an error leaves the state active, as in the firmware
  int repost = 0;
  if (lua_isboolean(L, -1))
    repost = lua_toboolean(L, -1) && !p.buffer.empty() ? k_write_updated : 0;
  else
    // pipe.c:203 takes the flag from the state on entry, not from writes made during the
    // call: a reader that returns nothing after a write is posted again and again until it
    // returns a boolean. Scripts return false (telnet.lua) or true; see docs/firmware-3.md.
    repost = entry_state & k_write_updated;
  p.state = k_quiescent | repost;
  if (repost) post_reader(L, 1, p);
  return 0;
}

}  // namespace nodemcu_emu::modules::pipe
