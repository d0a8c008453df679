#include "modules/gpio/waveform.hpp"

#include <algorithm>

namespace nodemcu_emu::modules::gpio {

std::vector<LevelChange> wave_edges(const Waveform& wave, int level_before, core::Micros end,
                                    std::size_t max) {
  std::vector<LevelChange> newest_first;
  if (end < wave.start || max == 0) return newest_first;
  // From the last period begun by `end` back to the first: its fall, then its rise.
  for (auto k = (end - wave.start) / wave.period; k >= 0; --k) {
    core::Micros rise = wave.start + wave.period * k;
    core::Micros fall = rise + wave.high;
    if (fall <= end) newest_first.push_back({fall, 0});
    if (newest_first.size() == max) break;
    if (k > 0 || level_before == 0) newest_first.push_back({rise, 1});
    if (newest_first.size() == max) break;
  }
  std::reverse(newest_first.begin(), newest_first.end());
  return newest_first;
}

}  // namespace nodemcu_emu::modules::gpio
