// The factories of the built-in model kinds (listed in catalog.cpp). Each model lives in its
// own file in this folder.
#pragma once

#include <memory>
#include <string>

#include "devices/catalog.hpp"

namespace nodemcu_emu::devices {

std::unique_ptr<core::board::Model> make_pcf8574(const ModelSetup& setup, std::string& error);

}  // namespace nodemcu_emu::devices
