// Per device: the 1-Wire bus of each pin and the firmware master's state for it. Device models
// are attached here (attach), by --attach/emu.attach or a C++ test.
#pragma once

#include <array>
#include <memory>

#include "modules/gpio/gpio_state.hpp"
#include "modules/ow/onewire_master.hpp"

namespace nodemcu_emu::core {
class Device;
}

namespace nodemcu_emu::modules::ow {

struct OwState {
  explicit OwState(core::Device&) {}
  std::array<OneWireBus, gpio::k_pin_count> buses;
  std::array<SearchState, gpio::k_pin_count> search;
  Timings timings;  // ow.set_timings (3.0) sets them for every pin, as the driver's one global
};

OwState& ow_state(core::Device& device);
// Puts a device model on pin `pin`'s bus (1..12).
void attach(core::Device& device, int pin, std::shared_ptr<OneWireDevice> model);

}  // namespace nodemcu_emu::modules::ow
