// --port-map P=0: device port P on a host port the kernel finds free when the emulator starts,
// so that tests that name the app's own port (80, 1883) run side by side (--test -j, CI
// shards) without agreeing on host ports beforehand.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>

namespace nodemcu_emu::core::ip {

// A port on `address` that nobody holds now, for TCP and UDP alike (the kernel's choice for a
// TCP bind to port 0, kept if UDP can bind it too); 0 when none was found. Like any free-port
// lookup it is free when asked, not reserved: the device binds it moments later.
std::uint16_t find_free_port(const boost::asio::ip::address& address);

}  // namespace nodemcu_emu::core::ip
