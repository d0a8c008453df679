#include "core/flash_loader.hpp"

#include <cstring>
#include <optional>
#include <string>

#include "core/device.hpp"
#include "core/flash_fs.hpp"

namespace nodemcu_emu::core {

namespace {

// The whole file, or nullopt when the flash cannot open it. No Lua call in here: the string and
// the open file must be gone before anything that may raise.
std::optional<std::string> read_flash_file(Device& d, const char* name) {
  auto file = flash::flash_of(d).open(name, "r");
  if (!file) return std::nullopt;
  std::string text;
  char buffer[4096];
  long n = 0;
  while ((n = file->read(buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  if (n < 0) return std::nullopt;
  // luaL_loadfile skips a first "#" line (a shebang) and keeps its newline for line numbers.
  if (!text.empty() && text[0] == '#') text.erase(0, text.find('\n'));
  return text;
}

// dofile/loadfile with no name read stdin, as lua.c's do. With --host-libs a name the flash
// does not hold (a host path such as "./spec/x_spec.lua", which no flash name can be) is read
// from the host: test tools such as busted load their files so.
int load_named_or_stdin(lua_State* L, const char* name) {
  if (name == nullptr) return luaL_loadfile(L, nullptr);
  int status = load_flash_chunk(L, name);
  if (status != LUA_ERRFILE || !Device::from(L).options().host_libs) return status;
  lua_pop(L, 1);
  return luaL_loadfile(L, name);
}

int flash_loadfile(lua_State* L) {
  const char* name = luaL_optstring(L, 1, nullptr);
  if (load_named_or_stdin(L, name) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  return 1;
}

int flash_dofile(lua_State* L) {
  const char* name = luaL_optstring(L, 1, nullptr);
  lua_settop(L, 1);
  if (load_named_or_stdin(L, name) != 0) return lua_error(L);
  lua_call(L, 0, LUA_MULTRET);
  return lua_gettop(L) - 1;
}

// loadlib.c's findfile over the flash: the first name from package.path's templates that the
// flash has, or nil with the "no file" lines of the names tried.
const char* find_in_flash(lua_State* L, const char* name) {
  name = luaL_gsub(L, name, ".", "/");
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  const char* path = lua_tostring(L, -1);
  if (path == nullptr) luaL_error(L, LUA_QL("package.path") " must be a string");
  lua_pushliteral(L, "");  // the "no file" message
  while (*path != '\0') {
    while (*path == ';') path++;
    if (*path == '\0') break;
    const char* end = std::strchr(path, ';');
    if (end == nullptr) end = path + std::strlen(path);
    lua_pushlstring(L, path, static_cast<std::size_t>(end - path));
    path = end;
    const char* candidate = luaL_gsub(L, lua_tostring(L, -1), "?", name);
    lua_remove(L, -2);
    if (flash::flash_of(Device::from(L)).exists(candidate)) return candidate;
    lua_pushfstring(L, "\n\tno file " LUA_QS, candidate);
    lua_remove(L, -2);
    lua_concat(L, 2);
  }
  return nullptr;
}

// package.loaders[2] of the firmware: Lua chunks (source or bytecode) from the flash.
int flash_searcher(lua_State* L) {
  const char* name = luaL_checkstring(L, 1);
  const char* file = find_in_flash(L, name);
  if (file == nullptr) return 1;  // the "no file" lines
  if (load_flash_chunk(L, file) != 0)
    return luaL_error(L, "error loading module " LUA_QS " from file " LUA_QS ":\n\t%s",
                      lua_tostring(L, 1), file, lua_tostring(L, -1));
  return 1;
}

// package.loaders = { preload, flash[, host Lua, host C, host C root] }.
void set_searchers(lua_State* L, bool host_searchers) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaders");
  int old = lua_gettop(L);
  int count = static_cast<int>(lua_objlen(L, old));  // preload, Lua, C, C root
  lua_createtable(L, count + 1, 0);
  lua_rawgeti(L, old, 1);
  lua_rawseti(L, -2, 1);
  lua_pushcfunction(L, flash_searcher);
  lua_rawseti(L, -2, 2);
  for (int i = 2; host_searchers && i <= count; i++) {
    lua_rawgeti(L, old, i);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, old - 1, "loaders");
  lua_pop(L, 2);
}

}  // namespace

int load_flash_chunk(lua_State* L, const char* name) {
  const char* chunkname = lua_pushfstring(L, "@%s", name);
  int status = LUA_ERRFILE;
  {
    std::optional<std::string> text = read_flash_file(Device::from(L), name);
    // lua_load is a protected call: no longjmp leaves it.
    if (text) status = luaL_loadbuffer(L, text->data(), text->size(), chunkname);
  }
  if (status == LUA_ERRFILE) {
    lua_pop(L, 1);
    lua_pushfstring(L, "cannot open %s", name);
    return status;
  }
  lua_remove(L, -2);  // the chunk name
  return status;
}

void install_flash_loaders(lua_State* L, bool host_searchers) {
  lua_register(L, "dofile", flash_dofile);
  lua_register(L, "loadfile", flash_loadfile);
  set_searchers(L, host_searchers);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  if (host_searchers)
    lua_pushfstring(L, "?.lc;?.lua;%s", lua_tostring(L, -1));
  else
    lua_pushliteral(L, "?.lc;?.lua");
  lua_setfield(L, -3, "path");
  lua_pop(L, 2);
}

}  // namespace nodemcu_emu::core
