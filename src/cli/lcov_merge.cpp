#include "cli/lcov_merge.hpp"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>

#include "core/lcov.hpp"

namespace nodemcu_emu::cli {

bool merge_lcov(const std::vector<std::string>& inputs, const std::string& output) {
  // Only the records the emulator writes are read (SF, DA).
  core::LcovFiles files;
  for (const auto& input : inputs) {
    std::ifstream in(input);
    std::string line;
    std::map<long, std::uint64_t>* current = nullptr;
    while (std::getline(in, line)) {
      if (line.rfind("SF:", 0) == 0) {
        current = &files[line.substr(3)];
      } else if (line.rfind("DA:", 0) == 0 && current != nullptr) {
        char* end = nullptr;
        long number = std::strtol(line.c_str() + 3, &end, 10);
        if (*end != ',') continue;
        (*current)[number] += std::strtoull(end + 1, nullptr, 10);
      } else if (line == "end_of_record") {
        current = nullptr;
      }
    }
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  return out && core::write_lcov(out, files);
}

}  // namespace nodemcu_emu::cli
