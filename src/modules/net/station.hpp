// The device's station interface as every module reports it (net.ifinfo, the UDP broadcast
// address, and wifi.sta.getip/getmac should read it from here): one source of truth.
#pragma once

#include <array>
#include <cstdint>

#include "core/device.hpp"

namespace nodemcu_emu::net {

struct StationInfo {
  std::uint32_t ip = 0;       // the address the emulator binds (--bind); host byte order
  std::uint32_t netmask = 0;  // the host's view of that network: /8 on loopback, else /24
  std::uint32_t gateway = 0;  // 0 (reported as nil) on loopback, where there is no router
  std::array<std::uint8_t, 6> mac{};

  // The subnet-directed broadcast address (ip | ~netmask).
  std::uint32_t broadcast() const { return ip | ~netmask; }
};

StationInfo station_info(const core::Device& d);

// The SoftAP MAC: the station MAC with the locally-administered bit set, as the SDK derives it.
std::array<std::uint8_t, 6> softap_mac(const StationInfo& sta);

}  // namespace nodemcu_emu::net
