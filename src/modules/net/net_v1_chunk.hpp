// The Lua source of net's 1.5.4.1 objects (net_v1_chunk.cpp); net_v1.cpp runs it.
#pragma once

namespace nodemcu_emu::net {

// Called with the 2.x constructors and helpers (see net_v1.cpp); returns createConnection,
// createServer, TCP, UDP and 1.5.4.1's net.dns.resolve.
extern const char k_net_v1_chunk[];

}  // namespace nodemcu_emu::net
