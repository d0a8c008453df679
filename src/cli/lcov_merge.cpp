#include "cli/lcov_merge.hpp"

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>

namespace nodemcu_emu::cli {

bool merge_lcov(const std::vector<std::string>& inputs, const std::string& output) {
  // Source file → line → times run. Only the records the emulator writes are read (SF, DA).
  std::map<std::string, std::map<long, std::uint64_t>> files;
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
  out << "TN:\n";
  for (const auto& [name, lines] : files) {
    out << "SF:" << name << "\n";
    std::size_t hit = 0;
    for (const auto& [number, count] : lines) {
      out << "DA:" << number << "," << count << "\n";
      if (count > 0) ++hit;
    }
    out << "LF:" << lines.size() << "\nLH:" << hit << "\nend_of_record\n";
  }
  return static_cast<bool>(out.flush());
}

}  // namespace nodemcu_emu::cli
