#include "modules/node/node_console_pipe.hpp"

#include <string>
#include <string_view>

#include "core/device.hpp"
#include "modules/pipe/pipe.hpp"

namespace nodemcu_emu::modules::node {

namespace {

using core::Device;

// The firmware's Reg.stdout and Reg.stdin.
struct ConsolePipes {
  explicit ConsolePipes(Device&) {}
  lua::Ref stdout_pipe;
  lua::Ref stdin_pipe;
};

constexpr int k_task_low = 0, k_task_medium = 1;

// Pushes pipe.create(reader, priority) (node.c calls pipe_create itself, not the global).
void push_new_pipe(lua_State* L, int reader_index, int priority) {
  reader_index = reader_index < 0 ? lua_gettop(L) + reader_index + 1 : reader_index;
  lua_pushcfunction(L, pipe::create);
  lua_pushvalue(L, reader_index);
  lua_pushinteger(L, priority);
  lua_call(L, 2, 1);
}

// pipe:write(bytes) on the pipe on top of the stack, which it pops: through the pipe's own
// write, as node.c calls stdout[1].
void write_to_pipe(lua_State* L, const char* bytes, std::size_t len) {
  lua_getfield(L, -1, "write");
  lua_insert(L, -2);
  lua_pushlstring(L, bytes, len);
  lua_call(L, 2, 0);
}

int write_stdout(lua_State* L) {
  auto* text = static_cast<const std::string_view*>(lua_touserdata(L, 1));
  Device::from(L).module_state<ConsolePipes>().stdout_pipe.push(L);
  if (lua_isnil(L, -1)) return 0;
  write_to_pipe(L, text->data(), text->size());
  return 0;
}

// The console's sink while node.output has a function (node.c output_redirect). It runs from
// print, the prompt, anything that writes the console: protected, so nothing can unwind the C++
// frames above it.
void to_stdout(Device& d, std::string_view text) {
  lua_State* L = d.L();
  if (L == nullptr || d.halted()) return;
  int top = lua_gettop(L);
  if (lua_cpcall(L, write_stdout, &text) != 0) {
    // node.c: "error calling stdout:write(%s)" on the UART, then system_restart().
    const char* msg = lua_tostring(L, -1);
    core::Console::diagnostic(std::string("error calling stdout:write(") + (msg ? msg : "?") + ")");
    lua_settop(L, top);
    d.reboot_after_error(core::Micros(0), 4);
    return;
  }
  lua_settop(L, top);
}

void feed_line(Device& d, std::string_view line) {
  d.repl().feed(d.L(), std::string(line));
  d.console().prompt(d.repl().prompt());
}

// lua.c l_read_stdin: one complete line per task; a partial line goes back to wait for the rest.
int read_stdin(lua_State* L) {
  lua_settop(L, 1);
  lua_getfield(L, 1, "read");
  lua_pushvalue(L, 1);
  lua_pushliteral(L, "\n+");
  lua_call(L, 2, 1);
  std::size_t len = 0;
  const char* line = lua_tolstring(L, 2, &len);
  if (line == nullptr || len == 0) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (line[len - 1] != '\n') {
    lua_getfield(L, 1, "unread");
    lua_pushvalue(L, 1);
    lua_pushvalue(L, 2);
    lua_call(L, 2, 0);
    lua_pushboolean(L, 0);
    return 1;
  }
  --len;
  if (len > 0 && line[len - 1] == '\r') --len;  // telnet clients end lines with CR LF
  feed_line(Device::from(L), std::string_view(line, len));
  return 0;  // nothing: posted again after a write, so the next line runs in its own task
}

}  // namespace

int output_pipe(lua_State* L) {
  Device& d = Device::from(L);
  // serial_debug: the number 0 stops the UART copy; anything else (or nothing) keeps it.
  bool echo = !(lua_isnumber(L, 2) && lua_tointeger(L, 2) == 0);
  lua_settop(L, 1);
  auto& pipes = d.module_state<ConsolePipes>();
  if (!lua_isfunction(L, 1)) {
    pipes.stdout_pipe.reset();
    d.console().restore();
    return 0;
  }
  push_new_pipe(L, 1, k_task_medium);
  lua::Ref ref(L, -1);  // may raise before it exists: nothing to skip
  pipes.stdout_pipe = std::move(ref);
  d.console().divert([&d](std::string_view text) { to_stdout(d, text); }, echo);
  return 0;
}

int input_pipe(lua_State* L) {
  luaL_checkstring(L, 1);
  auto& pipes = Device::from(L).module_state<ConsolePipes>();
  if (!pipes.stdin_pipe) {
    // lua.c creates it at boot (l_create_stdin); made on first use here, to the same effect.
    lua_pushcfunction(L, read_stdin);
    push_new_pipe(L, -1, k_task_low);
    lua::Ref ref(L, -1);
    lua_pop(L, 2);
    pipes.stdin_pipe = std::move(ref);
  }
  pipes.stdin_pipe.push(L);
  std::size_t len = 0;
  const char* s = lua_tolstring(L, 1, &len);
  write_to_pipe(L, s, len);
  return 0;
}

}  // namespace nodemcu_emu::modules::node
