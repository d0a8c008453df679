// The factories of the built-in model kinds (listed in catalog.cpp). Each model lives in its
// own file in this folder.
#pragma once

#include <memory>
#include <string>

#include "devices/catalog.hpp"

namespace nodemcu_emu::devices {

// The factory body of a kind built from the Clock alone, with no PARAM.
template <class M>
std::unique_ptr<core::board::Model> make_without_param(const ModelSetup& setup, std::string& error) {
  if (!setup.spec.param.empty()) {
    error = setup.spec.kind + " takes no parameter";
    return nullptr;
  }
  return std::make_unique<M>(setup.clock);
}

std::unique_ptr<core::board::Model> make_at24c32(const ModelSetup& setup, std::string& error);
std::unique_ptr<core::board::Model> make_bme280(const ModelSetup& setup, std::string& error);
std::unique_ptr<core::board::Model> make_dht11(const ModelSetup& setup, std::string& error);
std::unique_ptr<core::board::Model> make_dht22(const ModelSetup& setup, std::string& error);
std::unique_ptr<core::board::Model> make_ds18b20(const ModelSetup& setup, std::string& error);
std::unique_ptr<core::board::Model> make_pcf8574(const ModelSetup& setup, std::string& error);
std::unique_ptr<core::board::Model> make_strip(const ModelSetup& setup, std::string& error);

}  // namespace nodemcu_emu::devices
