#include "modules/net/dns_callback.hpp"

#include "core/ip/address.hpp"
#include "modules/net/push_ipv4.hpp"

namespace nodemcu_emu::net {

void push_dns_answer(lua_State* L, std::optional<std::uint32_t> ip) {
  if (!ip || *ip == k_ipaddr_none) {
    lua_pushnil(L);
    return;
  }
  push_ipv4(L, *ip);
}

}  // namespace nodemcu_emu::net
