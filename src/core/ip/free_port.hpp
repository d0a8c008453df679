// --port-map P=0: device port P on a host port the kernel finds free when the emulator starts,
// so that tests that name the app's own port (80, 1883) run side by side (--test -j, CI
// shards) without agreeing on host ports beforehand.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>

namespace nodemcu_emu::core::ip {

// A port on `address` that nobody holds now, for TCP and UDP alike (the kernel's choice for a
// TCP bind to port 0, kept if UDP can bind it too); 0 when none was found. The port stays
// reserved: this process keeps it bound (TCP and UDP, never listening, close-on-exec) until
// release_reserved_port. A port that was only looked up would be free for anyone in the
// meantime (another process's bind to port 0, the source port of any outgoing connection), and
// a test may bind its mapped port seconds after the start.
std::uint16_t reserve_free_port(const boost::asio::ip::address& address);

// Hands a reserved port back to the kernel: called just before this process binds the port for
// real. Nothing happens for a port that was never reserved (or port 0).
void release_reserved_port(std::uint16_t port);

}  // namespace nodemcu_emu::core::ip
