#include "core/board/model.hpp"

#include <algorithm>

namespace nodemcu_emu::core::board {

void Readings::declare(std::string name, double initial) {
  if (!has(name)) order_.push_back(name);
  tracks_[std::move(name)] = Track{{{Micros(0), initial}}, Shape::step};
}

bool Readings::has(std::string_view name) const { return tracks_.find(name) != tracks_.end(); }

bool Readings::set(std::string_view name, double value) {
  auto it = tracks_.find(name);
  if (it == tracks_.end()) return false;
  it->second = Track{{{Micros(0), value}}, Shape::step};
  return true;
}

bool Readings::script(std::string_view name, std::vector<Keyframe> frames, Shape shape) {
  auto it = tracks_.find(name);
  if (it == tracks_.end() || frames.empty()) return false;
  std::stable_sort(frames.begin(), frames.end(),
                   [](const Keyframe& a, const Keyframe& b) { return a.at < b.at; });
  it->second = Track{std::move(frames), shape};
  return true;
}

double Readings::at(std::string_view name, Micros t) const {
  auto it = tracks_.find(name);
  if (it == tracks_.end()) return 0;
  const auto& f = it->second.frames;
  auto next = std::upper_bound(f.begin(), f.end(), t,
                               [](Micros x, const Keyframe& k) { return x < k.at; });
  if (next == f.begin()) return f.front().value;
  if (next == f.end()) return f.back().value;
  const Keyframe& a = *(next - 1);
  if (it->second.shape == Shape::step) return a.value;
  double span = static_cast<double>((next->at - a.at).count());
  double part = static_cast<double>((t - a.at).count()) / span;
  return a.value + (next->value - a.value) * part;
}

std::string Model::configure(std::string_view key, std::string_view) {
  return "unknown option '" + std::string(key) + "' for " + std::string(kind());
}

State Model::state() const {
  State out;
  for (const auto& name : readings_.names()) out.emplace_back(name, readings_.at(name, now()));
  describe(out);
  return out;
}

}  // namespace nodemcu_emu::core::board
