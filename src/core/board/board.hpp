// The devices wired to the chip: each attachment is a model at a place on a bus ("i2c" bus 0,
// address 0x76; "ow" pin 3; "ws2812"). One Board per core::Device. It outlives reboots, as the
// sensors on a real board do; only models written in Lua go when the Lua state closes.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/board/model.hpp"

namespace nodemcu_emu::core::board {

// Where a model is wired. `index` numbers buses of one kind (i2c 0 and 1 on 3.x); `address` is
// the i2c address, the pin, or the chip-select pin; none for a bus that has no addresses.
struct Location {
  std::string bus;
  int index = 0;
  std::optional<long long> address;

  bool operator==(const Location&) const = default;
  std::string to_string() const;  // "i2c:0x76", "i2c.1:0x76", "ow:3", "ws2812"
};

struct Attachment {
  int id = 0;
  Location at;
  std::shared_ptr<Model> model;
  bool from_script = false;  // written in Lua: dropped when the Lua state closes
  bool multi_drop = false;   // may share its place with other multi-drop models
};

class Board {
 public:
  // Wires `model` at `at`. Two models may share a place only where both allow it (multi_drop:
  // several 1-wire probes on a pin). Returns the attachment's id (> 0), or 0 with `error` set.
  int add(Location at, std::shared_ptr<Model> model, bool multi_drop, bool from_script,
          std::string& error);
  bool remove(int id);
  const Attachment* get(int id) const;
  const std::vector<Attachment>& all() const { return attachments_; }

  // The models at one place that answer on interface I (held: a Lua model may detach itself
  // while the bus talks to it).
  template <class I>
  std::vector<std::shared_ptr<I>> at(std::string_view bus, int index,
                                     std::optional<long long> address) const {
    std::vector<std::shared_ptr<I>> found;
    for (const auto& a : attachments_) {
      if (a.at.bus != bus || a.at.index != index || a.at.address != address) continue;
      if (I* i = a.model->template as<I>()) found.emplace_back(a.model, i);
    }
    return found;
  }
  // The first model at that place answering on I, or null.
  template <class I>
  std::shared_ptr<I> find(std::string_view bus, int index, std::optional<long long> address) const {
    auto all = at<I>(bus, index, address);
    return all.empty() ? nullptr : all.front();
  }
  // Every model on a bus answering on I, whatever its address (a 1-wire search, spi).
  template <class I>
  std::vector<std::pair<Location, std::shared_ptr<I>>> on_bus(std::string_view bus, int index) const {
    std::vector<std::pair<Location, std::shared_ptr<I>>> found;
    for (const auto& a : attachments_) {
      if (a.at.bus != bus || a.at.index != index) continue;
      if (I* i = a.model->template as<I>()) found.emplace_back(a.at, std::shared_ptr<I>(a.model, i));
    }
    return found;
  }

  // A gpio pad changed level (the gpio module reports every change): an spi model whose
  // chip-select is that pin is selected or released, and PinWatcher models are told.
  void pin_changed(int pin, int level);
  // The pad's level as last reported (1, pulled up, until then).
  int pin_level(int pin) const;

  // The Lua state closed: models written in Lua cannot run any more.
  void drop_script_models();

  // A model written in Lua raised an error in the middle of a bus operation. The bus module
  // cannot raise there (C++ frames are alive): it takes the error afterwards and raises it.
  void fault(std::string message);
  std::optional<std::string> take_fault();

 private:
  std::vector<Attachment> attachments_;
  int next_id_ = 1;
  std::optional<std::string> fault_;
  std::map<int, int> pin_levels_;
};

}  // namespace nodemcu_emu::core::board
