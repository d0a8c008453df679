#include "modules/net/station.hpp"

#include "modules/net/address.hpp"

namespace nodemcu_emu::net {

namespace {
// Espressif's OUI followed by the chip id (node.chipid() = 0xA1B2C3): on the ESP8266 the chip
// id is the low three bytes of the station MAC.
constexpr std::array<std::uint8_t, 6> k_station_mac = {0x5c, 0xcf, 0x7f, 0xa1, 0xb2, 0xc3};
}  // namespace

StationInfo station_info(const core::Device& d) {
  StationInfo info;
  info.mac = k_station_mac;
  auto address = bind_address(d);
  // IPv6 or "0.0.0.0" (--bind): no single station address to report.
  if (!address.is_v4() || address.is_unspecified()) return info;
  info.ip = address.to_v4().to_uint();
  if (address.to_v4().is_loopback()) {
    info.netmask = 0xFF000000u;  // 127.0.0.0/8, as the host's lo has it
  } else {
    info.netmask = 0xFFFFFF00u;
    info.gateway = (info.ip & info.netmask) | 1u;
    if (info.gateway == info.ip) info.gateway = 0;
  }
  return info;
}

std::array<std::uint8_t, 6> softap_mac(const StationInfo& sta) {
  auto mac = sta.mac;
  mac[0] |= 0x02;
  return mac;
}

}  // namespace nodemcu_emu::net
