// The emulator's LFS image: the Lua sources a host-side Lua Flash Store holds, with the time
// the image was built. The device's LFS holds luac.cross bytecode for the chip; the emulator
// keeps sources (its Lua is the host's), in a file of its own that `nodemcu-emu --make-lfs`
// writes and node.LFS.reload reads. Lua-free: built and parsed without a Lua state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nodemcu_emu::core {

struct LfsModule {
  std::string name;    // what node.LFS.get takes: the file's name less ".lua"
  std::string source;  // the Lua source, compiled when a script asks for the module
};

struct LfsImage {
  std::int64_t time = 0;  // Unix time of the build (node.LFS.time)
  std::vector<LfsModule> modules;

  const LfsModule* find(std::string_view name) const;
  // Bytes the image takes in the LFS partition (node.LFS.config().lfs_used).
  std::size_t size() const;
};

// The file format: a "NODEMCU-EMU-LFS 1" line, "time T", then "module NAME LENGTH" lines each
// followed by LENGTH bytes of source and a newline.
std::string encode_lfs(const LfsImage& image);
// nullopt with `error` set when the bytes are not such an image (the texts are the firmware's
// where it has one, e.g. "incorrect LFS header signature").
std::optional<LfsImage> decode_lfs(std::string_view bytes, std::string& error);
// Whether the bytes look like a luac.cross LFS image (gzip, or the raw FLASH_SIG header).
bool is_luac_cross_image(std::string_view bytes);

// The LFS partition and what it holds. Like the RTC it survives restarts: it is flash.
struct LfsFlash {
  static constexpr std::uint32_t k_default_addr = 0x0A0000;  // after a 576 KB firmware
  std::uint32_t addr = 0;
  std::uint32_t size = 0;  // 0: no LFS partition (node.LFS.reload refuses)
  std::optional<LfsImage> image;
  // SPIFFS's partition as node.setpartitiontable left it (0: the default place).
  std::uint32_t spiffs_addr = 0;
  std::uint32_t spiffs_size = 0;
};

}  // namespace nodemcu_emu::core
