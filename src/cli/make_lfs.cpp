#include "cli/make_lfs.hpp"

#include <cstdio>
#include <fstream>

#include "core/lfs_build.hpp"

namespace nodemcu_emu::cli {

std::string make_lfs_usage() {
  return "\nLFS images:\n"
         "  nodemcu-emu --make-lfs OUT.img FILES|DIRS...\n"
         "                     writes an LFS image of the Lua files (a folder: its *.lua) for\n"
         "                     node.LFS.reload(\"OUT.img\") under --firmware=3; each file is a\n"
         "                     module named after it (init.lua -> node.LFS.get(\"init\"))\n";
}

int make_lfs(const std::vector<std::string>& args) {
  if (args.size() < 4) {
    std::fputs(("nodemcu-emu: --make-lfs needs an output file and at least one Lua file\n" +
                make_lfs_usage()).c_str(), stderr);
    return 2;
  }
  std::string error;
  auto image = core::build_lfs_image({args.begin() + 3, args.end()}, error);
  if (!image) {
    std::fprintf(stderr, "nodemcu-emu: --make-lfs: %s\n", error.c_str());
    return 1;
  }
  std::ofstream out(args[2], std::ios::binary | std::ios::trunc);
  std::string bytes = core::encode_lfs(*image);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "nodemcu-emu: --make-lfs: cannot write %s\n", args[2].c_str());
    return 1;
  }
  std::printf("%s: %zu modules, %zu bytes\n", args[2].c_str(), image->modules.size(), bytes.size());
  return 0;
}

}  // namespace nodemcu_emu::cli
