// nodemcu-emu --make-lfs OUT.img FILES…: the emulator's counterpart of `luac.cross -f -o`.
#pragma once

#include <string>
#include <vector>

namespace nodemcu_emu::cli {

// argv as main got it; returns the exit status (0 written, 2 usage, 1 a file failed).
int make_lfs(const std::vector<std::string>& args);
std::string make_lfs_usage();

}  // namespace nodemcu_emu::cli
