// Whether the station has an IP. The wifi module installs it as the Device's station probe;
// other modules ask core::Device::station_online().
#pragma once

namespace nodemcu_emu::core {
class Device;
}

namespace nodemcu_emu::modules::wifi {

// True while the station holds an IP address (wifi.sta.getip() would return one): before
// STA_GOT_IP, after a disconnect, under --wifi wrong-password/no-ap, or with the station
// interface off, it is false.
bool station_has_ip(core::Device& device);

}  // namespace nodemcu_emu::modules::wifi
