#include "modules/node/node_lfs.hpp"

#include <cstring>

#include "core/device.hpp"

namespace nodemcu_emu::modules::node {

namespace {

// lflash.c luaL_lfsreload: the answer when G(L)->LFSsize == 0.
constexpr const char* k_no_lfs_partition = "No LFS partition allocated";

// The emulated 4 MB flash: no LFS partition; SPIFFS from 1 MB to the system parameter area.
constexpr lua_Integer k_spiffs_addr = 0x100000;
constexpr lua_Integer k_spiffs_size = 0x400000 - 0x100000 - 0x5000;

void set_int(lua_State* L, const char* key, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, key);
}

// node.LFS.reload(image) / node.flashreload(image): the error string, nothing reloaded.
int lfs_reload(lua_State* L) {
  lua_settop(L, 1);
  lua_pushstring(L, k_no_lfs_partition);
  return 1;
}

int flash_reload(lua_State* L) {
  core::Device::from(L).console().deprecation_note("node.flashreload",
                                                  "soon. Use node.LFS interface instead");
  return lfs_reload(L);
}

// node.LFS.get(name), node.LFS.list(): nil when no LFS is loaded (luaL_pushlfsmodule(s)).
int lfs_nil(lua_State* L) {
  lua_pushnil(L);
  return 1;
}

// node.info("lfs") and node.LFS.config: get_lfs_config with an empty LFS.
int push_lfs_config(lua_State* L) {
  lua_createtable(L, 0, 4);
  set_int(L, "lfs_mapped", 0);
  set_int(L, "lfs_base", 0);
  set_int(L, "lfs_size", 0);
  set_int(L, "lfs_used", 0);
  return 1;
}

// node_lfs_func: LFS.config, LFS.time (nil: no image), LFS.<module> (nil: no image).
int lfs_index(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  if (name != nullptr && std::strcmp(name, "config") == 0) return push_lfs_config(L);
  return lfs_nil(L);
}

int get_partition_table(lua_State* L) {
  lua_createtable(L, 0, 4);
  set_int(L, "lfs_addr", 0);
  set_int(L, "lfs_size", 0);
  set_int(L, "spiffs_addr", k_spiffs_addr);
  set_int(L, "spiffs_size", k_spiffs_size);
  return 1;
}

}  // namespace

void add_lfs_calls(lua_State* L) {
  static const luaL_Reg lfs[] = {
      {"reload", lfs_reload}, {"get", lfs_nil}, {"list", lfs_nil}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, lfs);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, lfs_index);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setfield(L, -2, "LFS");
  lua_pushcfunction(L, flash_reload);
  lua_setfield(L, -2, "flashreload");
  lua_pushcfunction(L, get_partition_table);
  lua_setfield(L, -2, "getpartitiontable");
}

}  // namespace nodemcu_emu::modules::node
