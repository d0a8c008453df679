// The flash of one device, as module state: the file module and crypto.fhash share it, so the
// SPIFFS limit of 4 open files counts both (Device::module_state<FlashFs>()).
#pragma once

#include <memory>

#include "core/device.hpp"
#include "core/flash_dir.hpp"

namespace nodemcu_emu::core::flash {

struct FlashFs {
  explicit FlashFs(core::Device& d) : dir(std::make_shared<FlashDir>(d.options().fs_dir)) {}
  std::shared_ptr<FlashDir> dir;
};

inline FlashDir& flash_of(core::Device& d) {
  return *d.module_state<FlashFs>().dir;
}

}  // namespace nodemcu_emu::core::flash
