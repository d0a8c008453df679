#include "devices/catalog.hpp"

#include <cstdlib>

#include "devices/models.hpp"

namespace nodemcu_emu::devices {

namespace {

// Every kind, sorted by name. To add one: write the model (a core::board::Model that
// implements its bus's target interface), declare its factory in models.hpp, add a line here.
constexpr ModelKind k_kinds[] = {
    {.name = "at24c32",
     .bus = "i2c",
     .summary = "4 KiB EEPROM: 32-byte pages, 10 ms write cycle (option twr_ms)",
     .default_address = 0x50,
     .make = make_at24c32},
    {.name = "bme280",
     .bus = "i2c",
     .other_bus = "spi",
     .summary = "temperature/pressure/humidity sensor, on i2c or spi (readings: temperature °C, "
                "pressure hPa, humidity %RH)",
     .default_address = 0x76,
     .make = make_bme280},
    {.name = "dht11",
     .bus = "dht",
     .summary = "humidity/temperature sensor, whole units (readings: temperature °C, humidity %RH)",
     .default_address = std::nullopt,
     .multi_drop = false,
     .addressed = true,
     .make = make_dht11},
    {.name = "dht22",
     .bus = "dht",
     .summary = "humidity/temperature sensor AM2302, tenths (readings: temperature °C, "
                "humidity %RH)",
     .default_address = std::nullopt,
     .multi_drop = false,
     .addressed = true,
     .make = make_dht22},
    {.name = "ds18b20",
     .bus = "ow",
     .summary = "1-Wire thermometer (reading: temperature °C; PARAM: hex serial; parasite=1)",
     .default_address = std::nullopt,
     .multi_drop = true,
     .addressed = true,
     .make = make_ds18b20},
    {.name = "pcf8574",
     .bus = "i2c",
     .summary = "8-bit quasi-bidirectional I/O expander (inputs: reading 'pins')",
     .default_address = 0x20,
     .make = make_pcf8574},
    {.name = "strip",
     .bus = "ws2812",
     .summary = "WS2812 LED strip (PARAM: LED count, default 8; channels=4 for RGBW); "
                "ws2812.1 is the second output (dual mode)",
     .default_address = std::nullopt,
     .multi_drop = false,
     .addressed = false,
     .make = make_strip},
};

// i2c's 7-bit addresses; reserved ranges are left to the user (a test may want them). On spi
// the address is the chip-select's gpio pin, or none for the HSPI's own CS.
std::string check_address(const ModelKind& kind, const core::board::Location& at) {
  if (at.bus == "spi") {
    if (at.address && (*at.address < 0 || *at.address > 12)) return "chip-select is a pin 0..12";
    return {};
  }
  if (!kind.addressed) return at.address ? "takes no address" : "";
  if (!at.address) return "needs an address (e.g. " + at.bus + ":N=" + std::string(kind.name) + ")";
  if (at.bus == "i2c" && *at.address > 0x7f) return "i2c addresses are 7-bit (0x00..0x7f)";
  // 1-wire and DHT drivers refuse pin 0 (GPIO16, no open drain) and pins past 12
  if ((at.bus == "ow" || at.bus == "dht") && (*at.address < 1 || *at.address > 12))
    return "sits on a pin 1..12";
  return {};
}

// "i2c", or "i2c or spi" for a kind with two interfaces.
std::string buses(const ModelKind& kind) {
  std::string out(kind.bus);
  if (!kind.other_bus.empty()) out += " or " + std::string(kind.other_bus);
  return out;
}

}  // namespace

std::span<const ModelKind> model_kinds() { return k_kinds; }

const ModelKind* find_kind(std::string_view name) {
  for (const auto& k : k_kinds)
    if (k.name == name) return &k;
  return nullptr;
}

std::string apply_option(core::board::Model& model, std::string_view key, std::string_view value) {
  if (model.readings().has(key)) {
    std::string text(value);
    char* end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') return "reading '" + std::string(key) + "' needs a number";
    model.readings().set(key, v);
    return {};
  }
  return model.configure(key, value);
}

int attach(core::board::Board& board, const core::Clock& clock, const AttachSpec& spec,
           std::string& error) {
  const ModelKind* kind = find_kind(spec.kind);
  if (kind == nullptr) {
    error = "unknown model '" + spec.kind + "' (" + describe_kinds() + ")";
    return 0;
  }
  bool on_other = !kind->other_bus.empty() && spec.at.bus == kind->other_bus;
  if (spec.at.bus != kind->bus && !on_other) {
    error = spec.kind + " sits on the " + buses(*kind) + " bus, not " + spec.at.bus;
    return 0;
  }
  core::board::Location at = spec.at;
  if (!at.address && !on_other) at.address = kind->default_address;
  if (std::string why = check_address(*kind, at); !why.empty()) {
    error = spec.kind + ": " + why;
    return 0;
  }
  std::shared_ptr<core::board::Model> model = kind->make(ModelSetup{clock, spec, &board}, error);
  if (!model) return 0;
  for (const auto& [key, value] : spec.options) {
    if (std::string why = apply_option(*model, key, value); !why.empty()) {
      error = spec.kind + ": " + why;
      return 0;
    }
  }
  return board.add(at, std::move(model), kind->multi_drop, false, error);
}

std::string describe_kinds() {
  std::string out;
  for (const auto& k : k_kinds) {
    if (!out.empty()) out += ", ";
    out += std::string(k.name) + " (" + buses(k) + ")";
  }
  return out;
}

}  // namespace nodemcu_emu::devices
