// The model kinds the emulator knows by name, and the one way to create and wire one from an
// AttachSpec (used by --attach and emu.attach). A kind is one ModelKind entry in catalog.cpp,
// written with designated initializers so that fields added later need no edits.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/board/board.hpp"
#include "devices/attach_spec.hpp"

namespace nodemcu_emu::devices {

// What a kind's factory gets: the Clock every model reads time from, and the spec (its PARAM;
// its KEY=VALUE options are applied after creation, see attach()).
struct ModelSetup {
  const core::Clock& clock;
  const AttachSpec& spec;
  // The board it is about to join (a 1-wire probe's default serial counts the probes already
  // on its pin), or null.
  const core::board::Board* board = nullptr;
};

struct ModelKind {
  std::string_view name;     // "bme280": the KIND of a spec
  std::string_view bus;      // the bus it sits on: "i2c", "spi", "ow", "dht", "ws2812"
  std::string_view other_bus = {};  // a second interface it also answers on ("spi"), or empty
  std::string_view summary;  // one line for --help and docs/peripherals.md
  // Where it sits on `bus` when the spec gives no ADDRESS (a BME280's 0x76), or none: the spec
  // must say. On `other_bus` none is assumed.
  std::optional<long long> default_address;
  bool multi_drop = false;   // several may share one place (1-wire probes on one pin)
  bool addressed = true;     // false for a bus without addresses (a ws2812 strip)
  // Creates the model, or returns null with `error` set (a bad PARAM).
  std::unique_ptr<core::board::Model> (*make)(const ModelSetup& setup, std::string& error);
};

std::span<const ModelKind> model_kinds();
const ModelKind* find_kind(std::string_view name);

// Checks the spec against its kind (the bus, the address range), creates the model, applies the
// options (a reading's name sets the reading, anything else goes to Model::configure) and wires
// it to `board`. Returns the attachment id, or 0 with `error` set.
int attach(core::board::Board& board, const core::Clock& clock, const AttachSpec& spec,
           std::string& error);

// Applies one KEY=VALUE option to a model as attach() does. Returns an error text or "".
std::string apply_option(core::board::Model& model, std::string_view key, std::string_view value);

// "KIND (BUS): summary" lines for --help.
std::string describe_kinds();

}  // namespace nodemcu_emu::devices
