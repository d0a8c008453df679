// net: the module table (spec/net.md section 1).
#include "core/device.hpp"
#include "lua/fields.hpp"
#include "modules/net/net_parts.hpp"
#include "modules/net/net_state.hpp"

namespace nodemcu_emu::modules {

int open_net(lua_State* L) {
  lua_newtable(L);
  lua::set_constants(L, {{"TCP", 1} /* TYPE_TCP_CLIENT */, {"UDP", 2} /* TYPE_UDP_SOCKET */});
  net::open_tcp(L);
  net::open_udp(L);
  net::open_dns(L);
  net::open_iface(L);
  if (core::Device::from(L).options().firmware == 1) net::open_v1(L);
  if (core::Device::from(L).options().firmware >= 3) net::open_ping(L);  // NET_PING_ENABLE at 3.0
  return 1;
}

}  // namespace nodemcu_emu::modules
