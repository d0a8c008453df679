#include "modules/net/dns_callback.hpp"

#include "core/ip/address.hpp"

namespace nodemcu_emu::net {

namespace {
constexpr std::uint32_t k_no_answer = 0xFFFFFFFFu;  // IPADDR_NONE: net.c's "no answer" marker
}  // namespace

void push_dns_answer(lua_State* L, std::optional<std::uint32_t> ip) {
  if (!ip || *ip == k_no_answer) {
    lua_pushnil(L);
    return;
  }
  // From a plain array: a std::string's destructor would be skipped if lua_pushstring raised.
  char text[16];
  format_ipv4(*ip, text);
  lua_pushstring(L, text);
}

}  // namespace nodemcu_emu::net
