// Per device: the DHT sensor on each pin, if any (attach: --attach/emu.attach or a C++ test).
#pragma once

#include <array>
#include <memory>

#include "modules/dht/dht_sensor.hpp"
#include "modules/gpio/gpio_state.hpp"

namespace nodemcu_emu::core {
class Device;
}

namespace nodemcu_emu::modules::dht {

struct DhtState {
  explicit DhtState(core::Device&) {}
  std::array<std::shared_ptr<DhtSensor>, gpio::k_pin_count> sensors;
};

DhtState& dht_state(core::Device& device);
void attach(core::Device& device, int pin, std::shared_ptr<DhtSensor> sensor);

}  // namespace nodemcu_emu::modules::dht
