// The device's station interface as every module reports it (net.ifinfo, the UDP broadcast
// address, and wifi.sta.getip/getmac should read it from here): one source of truth.
#pragma once

#include <array>
#include <cstdint>

namespace nodemcu_emu::core {
class Device;
}

namespace nodemcu_emu::core {

struct StationInfo {
  std::uint32_t ip = 0;       // the address the emulator binds (--bind); host byte order
  std::uint32_t netmask = 0;  // /8 on loopback (as the host's lo), else /24
  std::uint32_t gateway = 0;  // 127.0.0.1 on loopback, else .1 of the /24
  std::array<std::uint8_t, 6> mac{};

  // The subnet-directed broadcast address (ip | ~netmask).
  std::uint32_t broadcast() const { return ip | ~netmask; }
};

StationInfo station_info(const Device& d);

// The SoftAP MAC: the station MAC with the locally-administered bit set, as the SDK derives it.
std::array<std::uint8_t, 6> softap_mac(const StationInfo& sta);

}  // namespace nodemcu_emu::core
