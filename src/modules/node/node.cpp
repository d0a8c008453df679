// node: the chip itself (spec/node.md): heap, restart, tasks, console redirection, errors.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <string_view>

#include "core/device.hpp"
#include "core/flash_fs.hpp"
#include "core/flash_loader.hpp"
#include "lua/call.hpp"
#include "lua/fields.hpp"
#include "lua/protected_push.hpp"
#include "modules/node/node_console_pipe.hpp"
#include "modules/node/node_errors.hpp"
#include "modules/node/node_lfs.hpp"
#include "modules/node/node_version.hpp"

namespace node_errors = nodemcu_emu::modules::node::errors;

namespace nodemcu_emu::modules {

namespace {

using core::Device;
using node::Version;

// Lua values the module keeps live in the registry under these keys (module state may not
// hold refs, see Device::module_state).

struct NodeState {
  explicit NodeState(Device& d) {
    // Real hardware RNG under real time; a fixed seed under virtual time keeps runs repeatable.
    if (d.loop().virtual_time())
      rng.seed(0x5eed);
    else
      rng.seed(std::random_device{}());
  }
  std::mt19937_64 rng;
  std::string pending_output;
  lua::Ref output_fn;  // node.output's function
  bool output_task_posted = false;
  int cpu_mhz = 80;
  // The default strip level as node.stripdebug() reports it: 2 in every release
  // (LUA_OPTIMIZE_DEBUG 2 before 3.0; LUAI_OPTIMIZE_DEBUG 1, reported plus one, at 3.0).
  int strip_level = 2;
  // node.startup's options (3.0).
  std::string startup_command;
  bool startup_banner = true;
  bool startup_delay_mount = false;
  int startup_frequency = 80;
};

constexpr lua_Integer k_chip_id = 0xA1B2C3;
constexpr lua_Integer k_flash_id = 0x1640EF;  // Winbond 4 MB
constexpr lua_Integer k_flash_size = 4 * 1024 * 1024;

int node_heap(lua_State* L) {
  // The firmware runs its emergency collector before allocating (EGC_ALWAYS), so garbage never
  // shows in the free heap; the host collector lets it pile up until the state doubles.
  lua_gc(L, LUA_GCCOLLECT, 0);
  lua_pushinteger(L, static_cast<lua_Integer>(Device::from(L).heap_free()));
  return 1;
}

int node_chipid(lua_State* L) {
  lua_pushinteger(L, k_chip_id);
  return 1;
}

int node_flashid(lua_State* L) {
  lua_pushinteger(L, k_flash_id);
  return 1;
}

int node_flashsize(lua_State* L) {
  lua_pushinteger(L, k_flash_size);
  return 1;
}

Version firmware_version(const Device& d) { return node::firmware_version(d.options().firmware); }

// A table of C functions only: a module compiled into the firmware, not a script's Lua module.
bool is_native_module(lua_State* L, int index) {
  if (!lua_istable(L, index)) return false;
  bool any = false, all_native = true;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    if (lua_isfunction(L, -1)) {
      any = true;
      all_native = all_native && lua_iscfunction(L, -1);
    }
    lua_pop(L, 1);
  }
  return any && all_native;
}

// BUILDINFO_MODULES: the modules compiled in, comma-separated and sorted. Here: the native
// tables in package.loaded, less Lua's own libraries and the emulator's test hooks (emu*).
// The table is the registry's _LOADED, which require keeps whatever a script does to the
// `package` global. Only raw reads: nothing here raises (the set and string are C++ objects).
std::string module_list(lua_State* L) {
  static const std::set<std::string_view> k_lua_libraries = {
      "_G", "coroutine", "debug", "io", "math", "os", "package", "string", "table"};
  std::set<std::string_view> names;  // views of keys of the table, which stays on the stack
  lua_getfield(L, LUA_REGISTRYINDEX, "_LOADED");  // an existing key: no allocation
  int loaded = lua_gettop(L);
  if (lua_istable(L, loaded)) {
    lua_pushnil(L);
    while (lua_next(L, loaded) != 0) {
      if (lua_type(L, -2) == LUA_TSTRING) {
        std::size_t len = 0;
        const char* key = lua_tolstring(L, -2, &len);
        std::string_view name(key, len);
        if (!k_lua_libraries.count(name) && !name.starts_with("emu") &&
            is_native_module(L, lua_gettop(L)))
          names.insert(name);
      }
      lua_pop(L, 1);
    }
  }
  std::string list;
  for (const auto& n : names) {
    if (!list.empty()) list += ',';
    list += n;
  }
  lua_pop(L, 1);
  return list;
}

// Pushes the list under protection; false with the error on the stack.
bool push_module_list(lua_State* L) {
  std::string list = module_list(L);
  return lua::protected_push(L, list);
}

// The eight integers of node.info() (the only form before 3.0, the "legacy" one after).
int push_info_integers(lua_State* L, const Version& v) {
  lua_pushinteger(L, v.major);
  lua_pushinteger(L, v.minor);
  lua_pushinteger(L, v.revision);
  lua_pushinteger(L, k_chip_id);
  lua_pushinteger(L, k_flash_id);
  lua_pushinteger(L, k_flash_size / 1024);
  lua_pushinteger(L, 2);
  lua_pushinteger(L, 40000000);
  return 8;
}

int node_info(lua_State* L) {
  static const char* const groups[] = {"lfs", "hw", "sw_version", "build_config", "legacy", nullptr};
  Device& d = Device::from(L);
  Version v = firmware_version(d);
  // Before 3.0 node_info takes no argument: a group name is ignored, no deprecation note.
  if (d.options().firmware < 3) return push_info_integers(L, v);
  int group = luaL_checkoption(L, 1, "legacy", groups);
  switch (group) {
    case 0:
      return node::push_lfs_config(L);
    case 1:
      lua_createtable(L, 0, 5);
      lua::set_integer(L, "chip_id", k_chip_id);
      lua::set_integer(L, "flash_id", k_flash_id);
      lua::set_integer(L, "flash_size", k_flash_size / 1024);
      lua::set_integer(L, "flash_mode", 2);
      lua::set_integer(L, "flash_speed", 40000000);
      return 1;
    case 2:
      lua_createtable(L, 0, 7);
      lua::set_integer(L, "node_version_major", v.major);
      lua::set_integer(L, "node_version_minor", v.minor);
      lua::set_integer(L, "node_version_revision", v.revision);
      lua::set_string(L, "git_branch", v.branch);
      lua::set_string(L, "git_commit_id", v.commit);
      lua::set_string(L, "git_release", v.release);
      lua::set_string(L, "git_commit_dts", v.dts);
      return 1;
    case 3:
      lua_createtable(L, 0, 4);
      lua_pushboolean(L, 0);  // BUILDINFO_SSL: there is no tls module (no TLS) in the emulator
      lua_setfield(L, -2, "ssl");
      lua::set_integer(L, "lfs_size", d.lfs().size);
      if (!push_module_list(L)) return lua_error(L);
      lua_setfield(L, -2, "modules");
      lua::set_string(L, "number_type", "float");
      return 1;
    default:
      d.console().deprecation_note("node.info() without parameter");
      return push_info_integers(L, v);
  }
}

int node_restart(lua_State* L) {
  Device::from(L).restart();
  return 0;
}

// The sleep time as the firmware's variable holds it: uint32_t at 1.5.4.1, uint64_t after. C
// leaves a negative, NaN or too large double undefined there; here those saturate (0 below).
std::uint64_t sleep_time(lua_Number us, int firmware) {
  const double limit = firmware == 1 ? 4294967296.0 : 18446744073709551616.0;
  if (!(us > 0)) return 0;
  if (us >= limit) return firmware == 1 ? 0xFFFFFFFFu : ~std::uint64_t{0};
  return static_cast<std::uint64_t>(us);
}

// node.dsleep([us][, option][, instant]): each argument counts only when it is a number
// (lua_isnumber); anything else is skipped, never an error. Before 3.0 an option above 4 (a
// uint8_t: -1 is 255, 260 is 4) is a plain error. 3.0's two argchecks have their arguments
// swapped (the condition is the constant 2 or 1), so they refuse nothing: an option of 5, a
// time of 36e9 µs or more.
int node_dsleep(lua_State* L) {
  Device& d = Device::from(L);
  const int firmware = d.options().firmware;
  if (lua_isnumber(L, 2)) {
    auto option = static_cast<std::uint8_t>(lua_tointeger(L, 2));
    if (firmware < 3 && option > 4) return luaL_error(L, node_errors::k_wrong_arg_range);
  }
  if (!lua_isnumber(L, 1)) return 0;  // only sets the option
  std::uint64_t us = sleep_time(lua_tonumber(L, 1), firmware);
  // 0 sleeps until an external reset that never comes.
  constexpr auto forever = core::Micros::max() / 2;
  if (us == 0 || us >= static_cast<std::uint64_t>(forever.count()))
    d.deep_sleep(forever);
  else
    d.deep_sleep(core::Micros(static_cast<core::Micros::rep>(us)));
  return 0;
}

int node_dsleepmax(lua_State* L) {
  lua_pushnumber(L, 13612089337.0);
  return 1;
}

int node_sleep(lua_State* L) { return luaL_error(L, node_errors::k_node_sleep_is_unavailable); }

int node_setcpufreq(lua_State* L) {
  lua_Integer f = luaL_checkinteger(L, 1);
  auto& s = Device::from(L).module_state<NodeState>();
  s.cpu_mhz = f == 160 ? 160 : 80;
  lua_pushinteger(L, s.cpu_mhz);
  return 1;
}

int node_getcpufreq(lua_State* L) {
  lua_pushinteger(L, Device::from(L).module_state<NodeState>().cpu_mhz);
  return 1;
}

int node_bootreason(lua_State* L) {
  int ext = Device::from(L).boot_reason();
  // Raw code: 1 power-on, 2 reset (software, watchdog, exception), 3 external reset pin.
  lua_pushinteger(L, ext == 0 ? 1 : (ext == 6 ? 3 : 2));
  lua_pushinteger(L, ext);
  if (ext != 2) return 2;
  // After an exception (a PANIC here) the firmware adds exccause, epc1-3, excvaddr, depc:
  // there is no CPU exception behind ours, so they are 0.
  for (int i = 0; i < 6; i++) lua_pushinteger(L, 0);
  return 8;
}

int node_restore(lua_State*) { return 0; }

int node_random(lua_State* L) {
  auto& rng = Device::from(L).module_state<NodeState>().rng;
  int n = lua_gettop(L);
  if (n == 0) {
    lua_pushnumber(L, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
    return 1;
  }
  if (n > 2) return luaL_error(L, node_errors::k_wrong_number_of_arguments);
  lua_Integer lo = n == 2 ? luaL_checkinteger(L, 1) : 1;
  lua_Integer hi = luaL_checkinteger(L, n);
  // The firmware checks argument #2 whatever the count (node.c: luaL_argcheck(L, l<=u, 2, ...)).
  if (lo > hi) luaL_argerror(L, 2, node_errors::k_interval_is_empty);
  lua_pushinteger(L, std::uniform_int_distribution<lua_Integer>(lo, hi)(rng));
  return 1;
}

// node.stripdebug's second argument when it is a number: the function that many levels up the
// call stack replaces it (lua_getstack/lua_getinfo, as node.c does: the number is popped, and
// nothing comes back when there is no such level).
void function_at_scope(lua_State* L, int scope) {
  if (scope <= 0) return;
  lua_Debug ar;
  lua_pop(L, 1);
  if (lua_getstack(L, scope, &ar)) lua_getinfo(L, "f", &ar);
}

// node.stripdebug([level[, function]]) at 3.0. The emulator strips nothing: where the chip
// answers with the bytes it saved, the answer here is 0.
int node_stripdebug(lua_State* L) {
  auto& s = Device::from(L).module_state<NodeState>();
  int n = lua_gettop(L);
  int strip = 0;
  lua_settop(L, 2);
  if (!lua_isnil(L, 1)) {
    strip = static_cast<int>(lua_tointeger(L, 1));  // not a number: 0, refused below
    luaL_argcheck(L, strip > 0 && strip < 4, 1, node_errors::k_invalid_strip_level);
  }
  if (lua_isnumber(L, 2)) function_at_scope(L, static_cast<int>(luaL_checkinteger(L, 2)));
  bool isfunc = lua_isfunction(L, 2);
  luaL_argcheck(L, n < 2 || isfunc, 2, node_errors::k_not_a_valid_function);
  // lua_stripdebug(L, strip - 1) on what is on top: a Lua function (0 bytes here), nil (get,
  // or set, the default), anything else -1; plus one when it was not a function.
  int result = -1;
  bool valid = strip >= 1;
  if (lua_isfunction(L, -1) && !lua_iscfunction(L, -1)) {
    if (valid) result = 0;
  } else if (lua_isnil(L, -1)) {
    if (valid) s.strip_level = strip;
    result = s.strip_level - 1;
  }
  lua_pushinteger(L, result + (isfunc ? 0 : 1));
  return 1;
}

// node.stripdebug([level[, function]]) at 1.5.4.1 and 2.2.1: the level is checked as a number
// (luaL_checkint); alone it sets the default and returns nothing; a level of 1 with a function
// returns 0; a function must be a Lua one. Nothing is stripped here (0 bytes).
int node_stripdebug_before_3(lua_State* L) {
  auto& s = Device::from(L).module_state<NodeState>();
  if (lua_gettop(L) == 0) {
    lua_pushinteger(L, s.strip_level);
    return 1;
  }
  int level = luaL_checkint(L, 1);
  if (level <= 0 || level > 3) luaL_argerror(L, 1, node_errors::k_must_in_range_1_3);
  if (lua_gettop(L) == 1) {
    s.strip_level = level;
    return 0;
  }
  if (level == 1) {
    lua_pushinteger(L, 0);
    return 1;
  }
  if (!lua_isfunction(L, 2)) function_at_scope(L, luaL_checkint(L, 2));
  if (!lua_isfunction(L, 2) || lua_iscfunction(L, -1))
    luaL_argerror(L, 2, node_errors::k_must_be_a_lua_function);
  lua_pushinteger(L, 0);
  return 1;
}

int node_startupcommand(lua_State* L) {
  Device::from(L).module_state<NodeState>().startup_command = luaL_checkstring(L, 1);
  lua_pushboolean(L, 1);
  return 1;
}

// node.startup([options]): with an argument, a table (luaL_checktype) whose string keys are
// read as node.c reads them (a command that is not a string: `bad argument #-1`, from the
// luaL_checklstring on the value under lua_next); a table without string keys resets all.
int node_startup(lua_State* L) {
  auto& s = Device::from(L).module_state<NodeState>();
  if (lua_gettop(L) > 0) {
    luaL_checktype(L, 1, LUA_TTABLE);
    bool has_entries = false;
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
      if (lua_type(L, -2) == LUA_TSTRING || lua_type(L, -2) == LUA_TNUMBER) {
        // lua_isstring: a number key counts, compared as its text (never one of the names)
        std::string_view key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
        has_entries = true;
        if (key == "command") s.startup_command = luaL_checkstring(L, -1);
        if (key == "banner") s.startup_banner = lua_toboolean(L, -1) != 0;
        if (key == "frequency") s.startup_frequency = lua_tointeger(L, -1) == 160 ? 160 : 80;
        if (key == "delay_mount") s.startup_delay_mount = lua_toboolean(L, -1) != 0;
      }
      lua_pop(L, 1);
    }
    if (!has_entries) {
      s.startup_command.clear();
      s.startup_banner = true;
      s.startup_delay_mount = false;
      s.startup_frequency = 80;
    }
  }
  lua_createtable(L, 0, 4);
  if (!s.startup_command.empty()) lua::set_string(L, "command", s.startup_command);
  lua_pushboolean(L, s.startup_banner);
  lua_setfield(L, -2, "banner");
  lua_pushboolean(L, s.startup_delay_mount);
  lua_setfield(L, -2, "delay_mount");
  lua::set_integer(L, "frequency", s.startup_frequency);
  return 1;
}

// --- node.task ---

// node.task.post([priority,] fn): the function is checked with luaL_checktype at 3.0, with an
// argcheck of its own (`invalid function`) before. A queue that holds its eight tasks already
// refuses the post (system_os_post fails).
int task_post(lua_State* L) {
  Device& d = Device::from(L);
  int fn_index = 1;
  lua_Integer priority = 1;
  if (lua_type(L, 1) == LUA_TNUMBER) {
    priority = lua_tointeger(L, 1);
    // The firmware reads it as unsigned, so negative values fail the same check.
    if (priority < 0 || priority > 2) luaL_argerror(L, 1, node_errors::k_invalid_priority);
    fn_index = 2;
  }
  if (d.options().firmware < 3)
    luaL_argcheck(L, lua_isfunction(L, fn_index), fn_index, node_errors::k_invalid_function);
  else
    luaL_checktype(L, fn_index, LUA_TFUNCTION);
  if (d.tasks().full(static_cast<int>(priority)))
    return luaL_error(L, node_errors::k_task_queue_overflow);
  lua::Ref ref(L, fn_index);  // may raise: before anything else exists
  d.post_call(static_cast<int>(priority), std::move(ref), core::Protection::pcallx, true);
  return 0;
}

// --- console: node.output / node.input ---

void flush_output(Device& d) {
  auto& s = d.module_state<NodeState>();
  s.output_task_posted = false;
  if (s.pending_output.empty()) return;
  std::string text = std::move(s.pending_output);
  s.pending_output.clear();
  d.dispatch(s.output_fn, core::Protection::pcallx, [&text](lua_State* L) {
    lua_pushlstring(L, text.data(), text.size());
    return 1;
  });
}

int node_output(lua_State* L) {
  Device& d = Device::from(L);
  if (d.options().firmware >= 3) return node::output_pipe(L);
  if (lua_isfunction(L, 1)) {
    // serial_debug: the number 0 stops the UART copy; anything else (or nothing) keeps it.
    bool echo = !(lua_isnumber(L, 2) && lua_tointeger(L, 2) == 0);
    d.module_state<NodeState>().output_fn = lua::Ref(L, 1);
    // The firmware hands output over through a pipe, in a later task, possibly batched.
    d.console().divert(
        [&d](std::string_view text) {
          auto& s = d.module_state<NodeState>();
          s.pending_output.append(text);
          if (!s.output_task_posted) {
            s.output_task_posted = true;
            d.tasks().post(core::TaskQueue::medium, [&d] { flush_output(d); });
          }
        },
        echo);
  } else {
    d.module_state<NodeState>().output_fn.reset();
    d.console().restore();
  }
  return 0;
}

int node_input(lua_State* L) {
  size_t len = 0;
  const char* s = luaL_checklstring(L, 1, &len);
  Device& d = Device::from(L);
  if (d.options().firmware >= 3) return node::input_pipe(L);
  std::string text(s, len);
  // As if typed on the UART: run later, one line at a time, each followed by the prompt.
  d.tasks().post(core::TaskQueue::low, [&d, text] {
    std::size_t start = 0;
    while (start <= text.size() && !d.halted()) {
      std::size_t nl = text.find('\n', start);
      std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (nl == std::string::npos && line.empty()) break;
      d.repl().feed(d.L(), line);
      d.console().prompt(d.repl().prompt());
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  });
  return 0;
}

int node_setonerror(lua_State* L) {
  Device& d = Device::from(L);
  d.set_error_handler(lua_isfunction(L, 1) ? lua::Ref(L, 1) : lua::Ref());
  return 0;
}

// node.compile("x.lua") writes x.lc (bytecode) next to it in the flash.
int dump_writer(lua_State*, const void* p, size_t size, void* ud) {
  auto* file = static_cast<core::flash::FlashFile*>(ud);
  return file->write(std::string_view(static_cast<const char*>(p), size)) ? 0 : 1;
}

enum class CompileResult { ok, cannot_open, write_failed };

enum class CompileName { ok, invalid, not_lua };

// node.c's name checks, on the name alone.
CompileName check_compile_name(std::string_view file) {
  std::size_t slash = file.rfind('/');
  std::string_view base = slash == std::string_view::npos ? file : file.substr(slash + 1);
  if (base.size() > 31 || file.find('\0') != std::string_view::npos) return CompileName::invalid;
  if (file.size() < 4 || file.substr(file.size() - 4) != ".lua") return CompileName::not_lua;
  return CompileName::ok;
}

// Writes the function on top of the stack as bytecode next to `lua_name` in the flash (x.lua ->
// x.lc). Raises nothing: the string and the open file must not be skipped by a longjmp.
CompileResult write_lc(lua_State* L, std::string_view lua_name) {
  std::string out = std::string(lua_name.substr(0, lua_name.size() - 4)) + ".lc";
  auto file = core::flash::flash_of(Device::from(L)).open(out, "w");
  if (!file) return CompileResult::cannot_open;
  int status = lua_dump(L, dump_writer, file.get());
  bool flushed = file->flush();
  file->close();
  return status == 0 && flushed ? CompileResult::ok : CompileResult::write_failed;
}

int node_compile(lua_State* L) {
  size_t len = 0;
  const char* name = luaL_checklstring(L, 1, &len);
  // Extra arguments are ignored (node.c): without this, the path pushed below would not be
  // at index 2, and whatever a script passed second (a host path, or a table: NULL, stdin)
  // would be compiled and written outside the flash.
  lua_settop(L, 1);
  switch (check_compile_name(std::string_view(name, len))) {
    case CompileName::invalid:
      return luaL_argerror(L, 1, node_errors::k_filename_invalid);
    case CompileName::not_lua:
      return luaL_error(L, node_errors::k_not_a_lua_file);
    case CompileName::ok:
      break;
  }
  // Read through the flash, as dofile reads it: a name outside --fs is not there. node.c
  // re-raises a load error with luaL_error, which puts the caller's position in front.
  if (core::load_flash_chunk(L, name) != 0) return luaL_error(L, "%s", lua_tostring(L, -1));
  switch (write_lc(L, std::string_view(name, len))) {
    case CompileResult::ok:
      return 0;
    case CompileResult::cannot_open:
      return luaL_error(L, node_errors::k_cannot_open_write_to_file);
    case CompileResult::write_failed:
      return luaL_error(L, node_errors::k_writing_to_file_failed);
  }
  return 0;
}

// --- node.egc ---

int egc_setmode(lua_State* L) {
  lua_Integer mode = luaL_checkinteger(L, 1);
  lua_Integer limit = luaL_optinteger(L, 2, 0);
  luaL_argcheck(L, mode >= 0 && mode <= 7, 1, node_errors::k_invalid_mode);
  luaL_argcheck(L, !(mode & 2) || limit != 0, 1, node_errors::k_limit_must_be_non_zero);
  return 0;
}

int egc_meminfo(lua_State* L) {
  Device& d = Device::from(L);
  lua_pushinteger(L, static_cast<lua_Integer>(d.heap_used()));
  lua_pushinteger(L, static_cast<lua_Integer>(d.heap_free()));
  return 2;
}

// node functions later than 1.5.4.1, with the first profile that has them. 2.2.1 builds
// without LUA_FLASH_STORE by default (user_config.h), so it has no flashindex either.
struct Introduced {
  const char* name;
  int profile;
};
constexpr Introduced k_introduced[] = {
    {"dsleepMax", 2},       {"sleep", 2},   {"getcpufreq", 2}, {"random", 2},
    {"setonerror", 3},      {"startupcommand", 3}, {"startup", 3}};

void add_subtable(lua_State* L, const char* name, const luaL_Reg* functions) {
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  lua_setfield(L, -2, name);
}

}  // namespace

int open_node(lua_State* L) {
  static const luaL_Reg functions[] = {
      {"heap", node_heap},
      {"chipid", node_chipid},
      {"flashid", node_flashid},
      {"flashsize", node_flashsize},
      {"info", node_info},
      {"restart", node_restart},
      {"dsleep", node_dsleep},
      {"dsleepMax", node_dsleepmax},
      {"sleep", node_sleep},
      {"setcpufreq", node_setcpufreq},
      {"getcpufreq", node_getcpufreq},
      {"bootreason", node_bootreason},
      {"restore", node_restore},
      {"random", node_random},
      {"stripdebug", node_stripdebug},
      {"startupcommand", node_startupcommand},
      {"startup", node_startup},
      {"output", node_output},
      {"input", node_input},
      {"setonerror", node_setonerror},
      {"compile", node_compile},
      {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  lua::set_integer(L, "CPU80MHZ", 80);
  lua::set_integer(L, "CPU160MHZ", 160);

  static const luaL_Reg task[] = {{"post", task_post}, {nullptr, nullptr}};
  add_subtable(L, "task", task);
  lua_getfield(L, -1, "task");
  lua::set_integer(L, "LOW_PRIORITY", 0);
  lua::set_integer(L, "MEDIUM_PRIORITY", 1);
  lua::set_integer(L, "HIGH_PRIORITY", 2);
  lua_pop(L, 1);

  static const luaL_Reg egc[] = {{"setmode", egc_setmode}, {"meminfo", egc_meminfo}, {nullptr, nullptr}};
  add_subtable(L, "egc", egc);
  lua_getfield(L, -1, "egc");
  lua::set_integer(L, "NOT_ACTIVE", 0);
  lua::set_integer(L, "ON_ALLOC_FAILURE", 1);
  lua::set_integer(L, "ON_MEM_LIMIT", 2);
  lua::set_integer(L, "ALWAYS", 4);
  if (Device::from(L).options().firmware == 1) lua::remove_fields(L, {"meminfo"});  // came with 2.x
  lua_pop(L, 1);

  const int firmware = Device::from(L).options().firmware;
  if (firmware >= 3) node::add_lfs_calls(L);  // node.LFS, flashreload, partition table
  if (firmware < 3) {
    lua_pushcfunction(L, node_stripdebug_before_3);
    lua_setfield(L, -2, "stripdebug");
  }
  // What each release's node_map lists (node.c at the three tags); the rest is removed so that
  // a feature check (`if node.setonerror then`) sees what the device would.
  for (const auto& f : k_introduced)
    if (firmware < f.profile) {
      lua_pushnil(L);
      lua_setfield(L, -2, f.name);
    }
  return 1;
}

}  // namespace nodemcu_emu::modules
