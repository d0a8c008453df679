#include "core/lcov.hpp"

namespace nodemcu_emu::core {

bool write_lcov(std::ostream& out, const LcovFiles& files) {
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

}  // namespace nodemcu_emu::core
