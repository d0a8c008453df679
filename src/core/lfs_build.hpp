// Building an LFS image on the host from Lua sources: `nodemcu-emu --make-lfs OUT FILES…` and
// `--lfs DIR`. Each source is compiled once (as luac.cross would) so that a syntax error is
// reported at build time, naming the file, not at the first node.LFS.get on the device.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/lfs_image.hpp"

namespace nodemcu_emu::core {

// `paths`: .lua files, or folders whose *.lua files are taken (sorted). nullopt with `error`.
std::optional<LfsImage> build_lfs_image(const std::vector<std::string>& paths, std::string& error);

// The partition size for an image when none was given: 128 KB (the size 3.0's docs suggest),
// or the image's own size rounded up to the 4 KB flash sector when it is larger.
std::uint32_t default_lfs_size(const LfsImage& image);

}  // namespace nodemcu_emu::core
