// net::parse_ipv4 / format_ipv4: the plain dotted quad takes a path of its own (no C library);
// every other spelling goes to inet_aton, which reads what lwIP's ipaddr_aton reads.
#include "core/ip/address.hpp"

#include <arpa/inet.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>

using nodemcu_emu::net::format_ipv4;
using nodemcu_emu::net::parse_ipv4;

namespace {
std::optional<std::uint32_t> by_inet_aton(const std::string& text) {
  in_addr a{};
  if (inet_aton(text.c_str(), &a) == 0) return std::nullopt;
  return ntohl(a.s_addr);
}
}  // namespace

TEST_CASE("parse_ipv4 reads every spelling as inet_aton does", "[address]") {
  for (const char* text :
       {"127.0.0.1", "0.0.0.0", "255.255.255.255", "192.168.4.1", "10.0.0.255", "1.2.3.4",
        "256.0.0.1", "1.2.3.256", "01.2.3.4", "010.0.0.1", "0x7f.0.0.1", "127.1", "127.0.1",
        "2130706433", "1.2.3.4.", ".1.2.3", "1..2.3", "1.2.3.4.5", "1.2.3.04", "a.b.c.d",
        "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "999.1.1.1", "1.2.3", "0", "00", "0x", "1.2.3.4x"}) {
    INFO(text);
    CHECK(parse_ipv4(text) == by_inet_aton(text));
  }
  CHECK_FALSE(parse_ipv4(""));
  CHECK_FALSE(parse_ipv4(std::string(65, '1')));
}

TEST_CASE("format_ipv4 writes the dotted quad", "[address]") {
  for (std::uint32_t a : {0u, 0x7f000001u, 0xffffffffu, 0xc0a80401u, 0x0a00640au, 0x01020304u}) {
    char text[16];
    format_ipv4(a, text);
    in_addr expected{htonl(a)};
    CHECK(std::string(text) == inet_ntoa(expected));
    CHECK(format_ipv4(a) == std::string(text));
  }
}
