#include "core/board/board.hpp"

#include "core/board/bus_targets.hpp"

#include <algorithm>
#include <cstdio>

namespace nodemcu_emu::core::board {

std::string Location::to_string() const {
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.20s", bus.c_str());
  if (index != 0) n += std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n), ".%d", index);
  // i2c addresses are written in hex everywhere (datasheets, i2c scanners); pins in decimal.
  if (address)
    std::snprintf(buf + n, sizeof buf - static_cast<std::size_t>(n),
                  bus == "i2c" ? ":0x%02llx" : ":%lld", *address);
  return buf;
}

int Board::add(Location at, std::shared_ptr<Model> model, bool multi_drop, bool from_script,
               std::string& error) {
  for (const auto& a : attachments_) {
    if (a.at != at) continue;
    if (!multi_drop || !a.multi_drop) {
      error = "a " + std::string(a.model->kind()) + " is already attached at " + at.to_string();
      return 0;
    }
  }
  int id = next_id_++;
  attachments_.push_back(Attachment{id, std::move(at), std::move(model), from_script, multi_drop});
  return id;
}

bool Board::remove(int id) {
  auto it = std::find_if(attachments_.begin(), attachments_.end(),
                         [id](const Attachment& a) { return a.id == id; });
  if (it == attachments_.end()) return false;
  attachments_.erase(it);
  return true;
}

const Attachment* Board::get(int id) const {
  for (const auto& a : attachments_)
    if (a.id == id) return &a;
  return nullptr;
}

void Board::pin_changed(int pin, int level) {
  pin_levels_[pin] = level;
  // Copies: a Lua model may attach or detach while it is told.
  auto spi = at<SpiTarget>("spi", 0, pin);
  for (const auto& target : spi) target->spi_select(level == 0);
  std::vector<std::shared_ptr<PinWatcher>> watchers;
  for (const auto& a : attachments_)
    if (auto* w = a.model->as<PinWatcher>()) watchers.emplace_back(a.model, w);
  for (const auto& w : watchers) w->pin_changed(pin, level);
}

int Board::pin_level(int pin) const {
  auto it = pin_levels_.find(pin);
  return it == pin_levels_.end() ? 1 : it->second;
}

void Board::drop_script_models() {
  std::erase_if(attachments_, [](const Attachment& a) { return a.from_script; });
  fault_.reset();
}

void Board::fault(std::string message) {
  if (!fault_) fault_ = std::move(message);  // the first error is the one worth reporting
}

std::optional<std::string> Board::take_fault() { return std::exchange(fault_, std::nullopt); }

}  // namespace nodemcu_emu::core::board
