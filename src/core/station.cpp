#include "core/station.hpp"

#include <arpa/inet.h>

#include "core/device.hpp"

namespace nodemcu_emu::core {

namespace {
// Espressif's OUI followed by the chip id (node.chipid() = 0xA1B2C3): on the ESP8266 the chip
// id is the low three bytes of the station MAC. wifi.sta.getmac() reports the same.
constexpr std::array<std::uint8_t, 6> k_station_mac = {0x5c, 0xcf, 0x7f, 0xa1, 0xb2, 0xc3};
constexpr std::uint32_t k_loopback = 0x7F000001u;
}  // namespace

// The lease wifi.sta.getip() reports: the device's address is the one the emulator serves its
// sockets on (--bind); a loopback address lives in 127.0.0.0/8, anything else in a /24 whose
// router is .1.
StationInfo station_info(const Device& d) {
  StationInfo info;
  info.mac = k_station_mac;
  in_addr a{};
  std::uint32_t ip = inet_aton(d.options().bind_address.c_str(), &a) ? ntohl(a.s_addr) : 0;
  info.ip = ip != 0 && ip != 0xFFFFFFFFu ? ip : k_loopback;
  if ((info.ip >> 24) == 127) {
    info.netmask = 0xFF000000u;
    info.gateway = k_loopback;
  } else {
    info.netmask = 0xFFFFFF00u;
    info.gateway = (info.ip & info.netmask) | 1u;
  }
  return info;
}

std::array<std::uint8_t, 6> softap_mac(const StationInfo& sta) {
  auto mac = sta.mac;
  mac[0] |= 0x02;
  return mac;
}

}  // namespace nodemcu_emu::core
