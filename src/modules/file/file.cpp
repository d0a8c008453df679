// file: the SPIFFS flash (spec/others.md "file", app/modules/file.c), stored in --fs DIR.
//
// Functions that raise Lua errors keep no C++ object with a destructor alive across the raise
// (Lua 5.1 unwinds with longjmp): arguments are checked first, buffers are luaL_Buffers, and
// the directory listing is turned into a table under protection (lua/protected_push.hpp).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "core/device.hpp"
#include "core/flash_fs.hpp"
#include "lua/fields.hpp"
#include "lua/heap_budget.hpp"
#include "lua/protected_push.hpp"
#include "lua/userdata.hpp"
#include "modules/file/file_errors.hpp"

namespace file_errors = nodemcu_emu::modules::file::errors;

namespace nodemcu_emu::modules {

namespace {

using core::Device;
using core::flash::FlashFile;

constexpr const char* k_file_class = "file.obj";
// The registry slot of the last opened file object (the firmware's file_fd_ref): it keeps that
// object alive until the next open or close drops it.
constexpr const char* k_last_key = "nodemcu_emu.file.last";
constexpr const char* k_rtc_key = "nodemcu_emu.file.rtc";
constexpr std::uint32_t k_read_chunk = 1024;  // FILE_READ_CHUNK
constexpr int k_no_end_char = -1;

struct FileObject {
  std::shared_ptr<FlashFile> file;  // closed (never null) once the object is closed
};

// The firmware's file_fd: the last file opened, which module-level read/write/... act on. Null
// before any open and after a failed one ("open a file first"); it keeps pointing at the file
// after that file is closed, and then every operation fails (nil).
struct FileState {
  explicit FileState(Device&) {}
  std::shared_ptr<FlashFile> last;
};

core::flash::FlashDir& flash_dir(lua_State* L) {
  return core::flash::flash_of(Device::from(L));
}
FileState& state(lua_State* L) {
  return Device::from(L).module_state<FileState>();
}

void drop_last_ref(lua_State* L) {
  lua_pushnil(L);
  lua::begin_all_or_nothing(L);  // a new registry key: whole or not at all
  lua_setfield(L, LUA_REGISTRYINDEX, k_last_key);
  lua::end_all_or_nothing(L);
}

// vfs_basename: what follows the last "/" (or ":").
const char* basename_of(const char* path) {
  if (const char* slash = std::strrchr(path, '/')) return slash + 1;
  if (const char* colon = std::strrchr(path, ':')) return colon + 1;
  return path;
}

// The name check of open/exists/remove/rename (basename) and stat (whole name).
std::string_view check_name(lua_State* L, int arg, bool whole_name = false) {
  std::size_t len = 0;
  const char* name = luaL_checklstring(L, arg, &len);
  const char* checked = whole_name ? name : basename_of(name);
  luaL_argcheck(L, std::strlen(checked) <= core::flash::k_name_max && std::strlen(name) == len, arg,
                "filename invalid");
  return {name, len};
}

// GET_FILE_OBJ: a file object as argument 1, or the module's last opened file.
struct Target {
  FlashFile* file;  // null: the firmware's fd 0
  int argpos;       // where the function's own arguments start
};

Target target(lua_State* L) {
  if (lua_type(L, 1) == LUA_TUSERDATA) {
    auto* obj = static_cast<FileObject*>(luaL_checkudata(L, 1, k_file_class));
    // A closed object has fd 0 on the device: "open a file first", unlike the module's stale fd.
    return {obj->file->is_open() ? obj->file.get() : nullptr, 2};
  }
  return {state(L).last.get(), 1};
}

FlashFile* require_open(lua_State* L, const Target& t) {
  if (t.file == nullptr) luaL_error(L, file_errors::k_open_a_file_first);
  return t.file;
}

// file_g_read: up to `n` bytes, stopping after `end_char`; nil when nothing could be read.
int read_into_lua(lua_State* L, std::uint32_t n, int end_char, FlashFile* file) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  std::uint32_t total = 0;
  while (total < n) {
    std::size_t want = std::min<std::size_t>(n - total, LUAL_BUFFERSIZE);
    char* p = luaL_prepbuffer(&b);
    long got = file->read(p, want);
    if (got <= 0) {
      if (total > 0) break;
      lua_pushnil(L);
      return 1;
    }
    auto count = static_cast<std::size_t>(got);
    if (end_char != k_no_end_char) {
      if (const void* hit = std::memchr(p, end_char, count)) {
        std::size_t keep = static_cast<std::size_t>(static_cast<const char*>(hit) - p) + 1;
        file->seek(1, -static_cast<std::int64_t>(count - keep));  // reposition after the char
        luaL_addsize(&b, keep);
        break;
      }
    }
    luaL_addsize(&b, count);
    total += static_cast<std::uint32_t>(count);
    if (count < want) break;
  }
  luaL_pushresult(&b);
  return 1;
}

// --- open / close -------------------------------------------------------------------------

int file_open(lua_State* L) {
  drop_last_ref(L);  // lets the previous object be collected if the script dropped it
  std::string_view name = check_name(L, 1);
  const char* mode = luaL_optstring(L, 2, "r");
  auto* obj = lua::new_userdata<FileObject>(L, k_file_class);
  obj->file = flash_dir(L).open(name, mode);
  state(L).last = obj->file;
  if (!obj->file) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushvalue(L, -1);
  lua::begin_all_or_nothing(L);  // a new registry key: whole or not at all
  lua_setfield(L, LUA_REGISTRYINDEX, k_last_key);
  lua::end_all_or_nothing(L);
  return 1;
}

int file_close(lua_State* L) {
  FileObject* obj = nullptr;
  if (lua_type(L, 1) != LUA_TUSERDATA) {
    lua_getfield(L, LUA_REGISTRYINDEX, k_last_key);
    if (lua_isnil(L, -1)) return 0;  // no default file: nothing happens
    obj = static_cast<FileObject*>(luaL_checkudata(L, -1, k_file_class));
    lua_pop(L, 1);
  } else {
    obj = static_cast<FileObject*>(luaL_checkudata(L, 1, k_file_class));
  }
  obj->file->close();
  // As the firmware does, closing any file forgets the module's reference to the last one.
  drop_last_ref(L);
  return 0;
}

int file_obj_gc(lua_State* L) {
  auto* obj = lua::take_for_gc<FileObject>(L, file_obj_gc);
  if (obj == nullptr) return 0;  // a script's own call, not for a file object
  if (obj->file) obj->file->close();
  obj->~FileObject();
  return 0;
}

// --- reading and writing ------------------------------------------------------------------

int file_read(lua_State* L) {
  Target t = target(L);
  std::uint32_t n = k_read_chunk;
  int end_char = k_no_end_char;
  if (lua_type(L, t.argpos) == LUA_TNUMBER) {
    // The firmware stores it in an unsigned: a negative count reads to the end of the file.
    n = static_cast<std::uint32_t>(luaL_checkinteger(L, t.argpos));
  } else if (lua_isstring(L, t.argpos)) {
    std::size_t len = 0;
    const char* end = luaL_checklstring(L, t.argpos, &len);
    if (len != 1) return luaL_error(L, file_errors::k_wrong_arg_range);
    end_char = static_cast<unsigned char>(end[0]);
  }
  return read_into_lua(L, n, end_char, require_open(L, t));
}

int file_readline(lua_State* L) {
  Target t = target(L);
  return read_into_lua(L, k_read_chunk, '\n', require_open(L, t));
}

int write_common(lua_State* L, bool newline) {
  Target t = target(L);
  FlashFile* file = require_open(L, t);
  std::size_t len = 0;
  const char* s = luaL_checklstring(L, t.argpos, &len);
  bool ok = file->write({s, len}) && (!newline || file->write("\n"));
  if (ok)
    lua_pushboolean(L, 1);
  else
    lua_pushnil(L);
  return 1;
}

int file_write(lua_State* L) {
  return write_common(L, false);
}
int file_writeline(lua_State* L) {
  return write_common(L, true);
}

int file_seek(lua_State* L) {
  static const char* const whence_names[] = {"set", "cur", "end", nullptr};
  Target t = target(L);
  FlashFile* file = require_open(L, t);
  int whence = luaL_checkoption(L, t.argpos, "cur", whence_names);
  lua_Integer offset = luaL_optinteger(L, t.argpos + 1, 0);
  auto pos = file->seek(whence, offset);
  if (pos)
    lua_pushinteger(L, static_cast<lua_Integer>(*pos));
  else
    lua_pushnil(L);
  return 1;
}

int file_flush(lua_State* L) {
  FlashFile* file = require_open(L, target(L));
  if (file->flush())
    lua_pushboolean(L, 1);
  else
    lua_pushnil(L);
  return 1;
}

// --- whole files --------------------------------------------------------------------------

// Built on open/read/close as the firmware's file_getfile is: the module's last file changes.
int file_getcontents(lua_State* L) {
  lua_settop(L, 1);
  file_open(L);  // [1] name, [2] file or nil
  if (lua_isnil(L, -1)) return 0;
  lua_remove(L, 1);  // [1] file
  auto* obj = static_cast<FileObject*>(lua_touserdata(L, 1));
  read_into_lua(L, INT32_MAX, k_no_end_char, obj->file.get());  // [2] contents or nil
  file_close(L);
  lua_remove(L, 1);
  return 1;
}

int file_putcontents(lua_State* L) {
  lua_settop(L, 2);
  lua_pushvalue(L, 2);
  lua_pushliteral(L, "w+");
  lua_replace(L, 2);  // [1] name, [2] "w+", [3] contents
  file_open(L);       // [4] file or nil
  if (lua_isnil(L, -1)) return 1;
  lua_remove(L, 2);
  lua_replace(L, 1);  // [1] file, [2] contents: the contents are "argument #2" as on the device
  file_write(L);      // [3] true or nil
  lua_remove(L, 2);
  file_close(L);
  lua_remove(L, 1);
  return 1;
}

// --- the file system ----------------------------------------------------------------------

// string.match, as the firmware finds it through the string metatable (nil if a script took
// the metatable's __index away: the call below then raises).
void push_string_match(lua_State* L, int string_index) {
  if (!luaL_getmetafield(L, string_index, "__index")) {
    lua_pushnil(L);
    return;
  }
  lua_getfield(L, -1, "match");
  lua_remove(L, -2);
}

// Runs under lua::protected_build: {name = size} for every entry.
void build_listing(lua_State* L, void* data) {
  const auto& entries = *static_cast<const std::vector<core::flash::FlashDir::Entry>*>(data);
  lua_createtable(L, 0, static_cast<int>(entries.size()));
  for (const auto& e : entries) {
    lua_pushinteger(L, static_cast<lua_Integer>(e.size));
    lua_setfield(L, -2, e.name.c_str());
  }
}

// Pushes the table of every file, or returns false with the error to raise on the stack.
bool push_listing(lua_State* L) {
  auto entries = flash_dir(L).list();
  return lua::protected_build(L, build_listing, &entries);
}

int file_list(lua_State* L) {
  lua_settop(L, 1);
  const char* pattern = luaL_optstring(L, 1, nullptr);
  if (!push_listing(L)) return lua_error(L);  // [2] every file
  if (pattern == nullptr) return 1;
  lua_newtable(L);          // [3] the matching ones
  push_string_match(L, 1);  // [4]
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {  // [5] name, [6] size
    lua_pushvalue(L, 4);
    lua_pushvalue(L, 5);
    lua_pushvalue(L, 1);
    lua_call(L, 2, 1);  // a bad pattern raises its error, as file.list does
    bool matched = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (matched) {
      lua_pushvalue(L, 5);
      lua_insert(L, -2);
      lua_settable(L, 3);
    } else {
      lua_pop(L, 1);
    }
  }
  lua_pushvalue(L, 3);
  return 1;
}

int file_exists(lua_State* L) {
  std::string_view name = check_name(L, 1);
  lua_pushboolean(L, flash_dir(L).exists(name));
  return 1;
}

int file_remove(lua_State* L) {
  std::string_view name = check_name(L, 1);
  flash_dir(L).remove(name);
  return 0;
}

int file_rename(lua_State* L) {
  std::string_view from = check_name(L, 1);
  std::string_view to = check_name(L, 2);
  lua_pushboolean(L, flash_dir(L).rename(from, to));
  return 1;
}

int file_stat(lua_State* L) {
  std::string_view name = check_name(L, 1, true);
  std::uint64_t size = 0;
  {
    auto entry = flash_dir(L).stat(name);
    if (!entry) {
      lua_pushnil(L);
      return 1;
    }
    size = entry->size;
  }
  lua_createtable(L, 0, 8);
  lua::set_integer(L, "size", static_cast<lua_Integer>(size));
  auto spiffs = core::flash::spiffs_name(name);
  lua_pushlstring(L, spiffs->data(), spiffs->size());
  lua_setfield(L, -2, "name");
  for (const char* flag : {"is_dir", "is_rdonly", "is_hidden", "is_sys", "is_arch"})
    lua::set_boolean(L, flag, false);
  // SPIFFS keeps no timestamps: the firmware's default date.
  lua_createtable(L, 0, 6);
  lua::set_integer(L, "year", 1970);
  lua::set_integer(L, "mon", 1);
  lua::set_integer(L, "day", 1);
  lua::set_integer(L, "hour", 0);
  lua::set_integer(L, "min", 0);
  lua::set_integer(L, "sec", 0);
  lua_setfield(L, -2, "time");
  return 1;
}

int file_fsinfo(lua_State* L) {
  auto& dir = flash_dir(L);
  std::uint64_t total = dir.total_bytes();
  std::uint64_t used = dir.used_bytes();
  if (total > 0x7FFFFFFF || used > 0x7FFFFFFF || used > total)
    return luaL_error(L, file_errors::k_file_system_error);
  lua_pushinteger(L, static_cast<lua_Integer>(total - used));
  lua_pushinteger(L, static_cast<lua_Integer>(used));
  lua_pushinteger(L, static_cast<lua_Integer>(total));
  return 3;
}

int file_fscfg(lua_State* L) {
  lua_pushinteger(L, core::flash::k_partition_address);
  lua_pushinteger(L, static_cast<lua_Integer>(flash_dir(L).total_bytes()));
  return 2;
}

int file_format(lua_State* L) {
  file_close(L);
  Device& d = Device::from(L);
  if (!flash_dir(L).format()) {
    core::Console::diagnostic(
        "nodemcu-emu: file.format() refused: the flash directory is the working directory "
        "(or missing); give the device its own folder with --fs DIR");
    return luaL_error(L, file_errors::k_failed_to_format_file_system);
  }
  d.console().write("format done.\n");
  return 0;
}

// SPIFFS keeps no timestamps, so the rtc callback is stored but never asked (as on the chip).
int file_on(lua_State* L) {
  static const char* const events[] = {"rtc", nullptr};
  luaL_checkoption(L, 1, "rtc", events);
  switch (lua_type(L, 2)) {
    case LUA_TFUNCTION:
      lua_pushvalue(L, 2);
      break;
    case LUA_TNIL:
      lua_pushnil(L);
      break;
    default:
      return luaL_error(L, file_errors::k_callback_should_be_function_or_nil);
  }
  lua::begin_all_or_nothing(L);
  lua_setfield(L, LUA_REGISTRYINDEX, k_rtc_key);
  lua::end_all_or_nothing(L);
  return 0;
}

}  // namespace

int open_file(lua_State* L) {
  static const luaL_Reg methods[] = {
      {"close", file_close}, {"read", file_read},           {"readline", file_readline},
      {"write", file_write}, {"writeline", file_writeline}, {"seek", file_seek},
      {"flush", file_flush}, {"__gc", file_obj_gc},         {nullptr, nullptr}};
  lua::new_class(L, k_file_class, methods);
  static const luaL_Reg functions[] = {{"list", file_list},
                                       {"open", file_open},
                                       {"close", file_close},
                                       {"write", file_write},
                                       {"writeline", file_writeline},
                                       {"read", file_read},
                                       {"readline", file_readline},
                                       {"format", file_format},
                                       {"fscfg", file_fscfg},
                                       {"remove", file_remove},
                                       {"seek", file_seek},
                                       {"flush", file_flush},
                                       {"rename", file_rename},
                                       {"exists", file_exists},
                                       {"getcontents", file_getcontents},
                                       {"putcontents", file_putcontents},
                                       {"fsinfo", file_fsinfo},
                                       {"on", file_on},
                                       {"stat", file_stat},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  // get/putcontents came with 3.0 (not in 2.2.1's file_map), file.stat with 2.x (not in
  // 1.5.4.1's): absent, a script's `if file.getcontents then` takes the device's path.
  int firmware = core::Device::from(L).options().firmware;
  if (firmware <= 2) lua::remove_fields(L, {"getcontents", "putcontents"});
  if (firmware == 1) lua::remove_fields(L, {"stat"});
  return 1;
}

}  // namespace nodemcu_emu::modules
