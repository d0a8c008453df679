#include "modules/node/node_lfs.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/device.hpp"
#include "core/flash_fs.hpp"
#include "core/lfs_image.hpp"
#include "lua/fields.hpp"

namespace nodemcu_emu::modules::node {

namespace {

using core::Device;
using core::LfsFlash;

// lflash.c's answers (luaL_lfsreload, loadLFS).
constexpr const char* k_no_lfs_partition = "No LFS partition allocated";
constexpr const char* k_image_not_found = "LFS image file not found";
constexpr const char* k_too_big = "LFS Image too big for configured LFS region";
constexpr const char* k_luac_cross =
    "this is a luac.cross image for the chip; the emulator runs Lua sources: build an image "
    "with nodemcu-emu --make-lfs OUT.img FILES...";
// node.c node_setpartitiontable.
constexpr const char* k_must_be_table = "must be table";
constexpr const char* k_invalid_setting = "invalid partition setting";
constexpr const char* k_out_of_range = "Partition value out of range";

// The emulated 4 MB flash: the firmware up to 0xA0000, SPIFFS from 1 MB to the system
// parameter area, the LFS partition (if any) between them.
constexpr std::uint32_t k_flash_size = 0x400000;
constexpr std::uint32_t k_firmware_end = LfsFlash::k_default_addr;
constexpr std::uint32_t k_spiffs_addr = 0x100000;
constexpr std::uint32_t k_system_area = 0x5000;
constexpr std::uint32_t k_sector = 0x1000;
constexpr std::uint32_t k_flash_mapped = 0x40200000;  // where the flash appears in memory

LfsFlash& lfs_of(lua_State* L) { return Device::from(L).lfs(); }

// The image file's bytes from the flash, or false.
bool read_flash_file(Device& d, const char* name, std::string& bytes) {
  auto file = core::flash::flash_of(d).open(name, "r");
  if (!file) return false;
  char buffer[4096];
  long n = 0;
  while ((n = file->read(buffer, sizeof buffer)) > 0) bytes.append(buffer, static_cast<std::size_t>(n));
  file->close();
  return true;
}

// node.LFS.reload(image): an error string, or the image goes into the partition and the chip
// restarts (it never returns on the device).
int lfs_reload(lua_State* L) {
  lua_settop(L, 1);
  Device& d = Device::from(L);
  LfsFlash& lfs = d.lfs();
  const char* name = lua_tostring(L, 1);
  if (lfs.size == 0) {
    lua_pushstring(L, k_no_lfs_partition);
    return 1;
  }
  std::string bytes;
  if (name == nullptr || !read_flash_file(d, name, bytes)) {
    lua_pushstring(L, k_image_not_found);
    return 1;
  }
  std::string error;
  auto image = core::is_luac_cross_image(bytes) ? std::nullopt : core::decode_lfs(bytes, error);
  if (!image) {
    lua_pushstring(L, core::is_luac_cross_image(bytes) ? k_luac_cross : error.c_str());
    return 1;
  }
  if (image->size() > lfs.size) {
    lua_pushstring(L, k_too_big);
    return 1;
  }
  lfs.image = std::move(image);
  d.restart();
  return 0;
}

int flash_reload(lua_State* L) {
  Device::from(L).console().deprecation_note("node.flashreload", "soon. Use node.LFS interface instead");
  return lfs_reload(L);
}

// luaL_pushlfsmodule: the module's function, nil without an image or such a module.
void push_module(lua_State* L, const char* name) {
  const LfsFlash& lfs = lfs_of(L);
  const core::LfsModule* m = lfs.image && name ? lfs.image->find(name) : nullptr;
  if (m == nullptr) {
    lua_pushnil(L);
    return;
  }
  std::string chunkname = "@" + m->name + ".lua";
  if (luaL_loadbuffer(L, m->source.data(), m->source.size(), chunkname.c_str()) != 0) lua_error(L);
}

// node.LFS.get(name), node.flashindex(name).
int lfs_get(lua_State* L) {
  lua_settop(L, 1);
  push_module(L, lua_tostring(L, 1));
  return 1;
}

// node.LFS.list(): the module names, sorted; nil without an image.
int lfs_list(lua_State* L) {
  const LfsFlash& lfs = lfs_of(L);
  if (!lfs.image) {
    lua_pushnil(L);
    return 1;
  }
  std::vector<std::string> names;
  for (const auto& m : lfs.image->modules) names.push_back(m.name);
  std::sort(names.begin(), names.end());
  lua_createtable(L, static_cast<int>(names.size()), 0);
  for (std::size_t i = 0; i < names.size(); ++i) {
    lua_pushlstring(L, names[i].data(), names[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
  return 1;
}

// node_lfs_func: LFS.config, LFS.time (nil without an image), LFS.<module>.
int lfs_index(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  if (name != nullptr && std::strcmp(name, "config") == 0) return push_lfs_config(L);
  if (name != nullptr && std::strcmp(name, "time") == 0) {
    const LfsFlash& lfs = lfs_of(L);
    if (lfs.image) lua_pushinteger(L, static_cast<lua_Integer>(lfs.image->time));
    else lua_pushnil(L);
    return 1;
  }
  push_module(L, name);
  return 1;
}

std::uint32_t spiffs_addr(const LfsFlash& lfs) {
  if (lfs.spiffs_addr != 0) return lfs.spiffs_addr;
  return std::max(k_spiffs_addr, (lfs.addr + lfs.size + 0xFFFF) & ~0xFFFFu);
}

std::uint32_t spiffs_size(const LfsFlash& lfs) {
  if (lfs.spiffs_size != 0) return lfs.spiffs_size;
  return k_flash_size - k_system_area - spiffs_addr(lfs);
}

int get_partition_table(lua_State* L) {
  const LfsFlash& lfs = lfs_of(L);
  lua_createtable(L, 0, 4);
  lua::set_integer(L, "lfs_addr", lfs.size ? lfs.addr : 0);
  lua::set_integer(L, "lfs_size", lfs.size);
  lua::set_integer(L, "spiffs_addr", spiffs_addr(lfs));
  lua::set_integer(L, "spiffs_size", spiffs_size(lfs));
  return 1;
}

// A partition must sit on sector boundaries, after the one before it, inside the flash.
bool partition_fits(std::uint32_t addr, std::uint32_t size, std::uint32_t last) {
  return (addr & (k_sector - 1)) == 0 && (size & (k_sector - 1)) == 0 && addr >= last &&
         static_cast<std::uint64_t>(addr) + size <= k_flash_size;
}

// node.setpartitiontable{lfs_addr=, lfs_size=, spiffs_addr=, spiffs_size=}: checked as
// node.c checks it; the new table takes effect at the restart that follows (a watchdog reset
// on the chip). A changed LFS partition is empty.
int set_partition_table(lua_State* L) {
  static const char* const keys[] = {"lfs_addr", "lfs_size", "spiffs_addr", "spiffs_size"};
  luaL_argcheck(L, lua_istable(L, 1), 1, k_must_be_table);
  lua_settop(L, 1);
  LfsFlash& lfs = lfs_of(L);
  std::int64_t param[4] = {-1, -1, -1, -1};
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    luaL_argcheck(L, lua_type(L, -2) == LUA_TSTRING && lua_isnumber(L, -1), 1, k_invalid_setting);
    const char* key = lua_tostring(L, -2);
    int index = -1;
    for (int i = 0; i < 4; ++i)
      if (std::strcmp(key, keys[i]) == 0) index = i;
    luaL_argcheck(L, index >= 0, 1, k_invalid_setting);
    param[index] = static_cast<std::int64_t>(static_cast<std::uint32_t>(lua_tonumber(L, -1)));
    lua_pop(L, 1);
  }
  LfsFlash next = lfs;
  if (next.size == 0) next.addr = k_firmware_end;  // a blank LFS partition after the firmware
  if (param[0] >= 0) next.addr = static_cast<std::uint32_t>(param[0]);
  if (param[1] >= 0) next.size = static_cast<std::uint32_t>(param[1]);
  if (param[3] >= 0) {
    next.spiffs_size = static_cast<std::uint32_t>(param[3]);
    next.spiffs_addr = param[2] >= 0 ? static_cast<std::uint32_t>(param[2])
                       : next.spiffs_size <= k_flash_size - 0x3000 - k_spiffs_addr
                           ? k_spiffs_addr
                           : next.addr + next.size;
  } else if (param[2] >= 0) {
    next.spiffs_addr = static_cast<std::uint32_t>(param[2]);
  }
  std::uint32_t last = k_firmware_end;
  if (next.size != 0) {
    if (!partition_fits(next.addr, next.size, last)) return luaL_error(L, k_out_of_range);
    last = next.addr + next.size;
  }
  if (!partition_fits(spiffs_addr(next), spiffs_size(next), last)) return luaL_error(L, k_out_of_range);
  if (next.addr != lfs.addr || next.size != lfs.size) next.image.reset();
  lfs = std::move(next);
  Device::from(L).restart();
  return 0;
}

}  // namespace

int push_lfs_config(lua_State* L) {
  const LfsFlash& lfs = lfs_of(L);
  bool partition = lfs.size != 0;
  lua_createtable(L, 0, 4);
  lua::set_integer(L, "lfs_mapped", partition ? k_flash_mapped + lfs.addr : 0);
  lua::set_integer(L, "lfs_base", partition ? lfs.addr : 0);
  lua::set_integer(L, "lfs_size", lfs.size);
  lua::set_integer(L, "lfs_used", lfs.image ? static_cast<lua_Integer>(lfs.image->size()) : 0);
  return 1;
}

void add_lfs_calls(lua_State* L) {
  static const luaL_Reg lfs[] = {
      {"reload", lfs_reload}, {"get", lfs_get}, {"list", lfs_list}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, lfs);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, lfs_index);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setfield(L, -2, "LFS");
  static const luaL_Reg node_calls[] = {{"flashreload", flash_reload},
                                        {"flashindex", lfs_get},
                                        {"getpartitiontable", get_partition_table},
                                        {"setpartitiontable", set_partition_table},
                                        {nullptr, nullptr}};
  luaL_register(L, nullptr, node_calls);
}

}  // namespace nodemcu_emu::modules::node
