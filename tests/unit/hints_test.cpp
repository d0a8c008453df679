#include <catch2/catch.hpp>

#include "core/hints.hpp"

using nodemcu_emu::core::hint_for;

TEST_CASE("a numbered-timer call under profile 2 or 3 points at --firmware=1", "[hints]") {
  const char* error = "app.lua:3: attempt to call field 'alarm' (a nil value)";
  CHECK(hint_for(2, error) == "tmr.alarm(id, …) is the 1.x API — run with --firmware=1, or use tmr.create()");
  CHECK(hint_for(3, error) == hint_for(2, error));
  CHECK(hint_for(1, error).empty());
}

TEST_CASE("a missing module the firmware has is named as not emulated, under every profile", "[hints]") {
  for (int profile : {1, 2, 3})
    CHECK(hint_for(profile, "x.lua:1: attempt to index global 'u8g2' (a nil value)") ==
          "the u8g2 module is not emulated yet");
}

TEST_CASE("only nil names match: a field of another kind, or an unknown name, gives nothing", "[hints]") {
  CHECK(hint_for(2, "attempt to call field 'alarm' (a number value)").empty());
  CHECK(hint_for(2, "attempt to index global 'alarm' (a nil value)").empty());
  CHECK(hint_for(2, "attempt to index field 'ws2812' (a nil value)").empty());
  CHECK(hint_for(2, "attempt to call field 'nothing' (a nil value)").empty());
  CHECK(hint_for(2, "attempt to index local 'ws2812' (a nil value)").empty());
}

TEST_CASE("cjson and sjson point at each other's profiles", "[hints]") {
  CHECK(hint_for(2, "attempt to index global 'cjson' (a nil value)") ==
        "cjson is the 1.x JSON module — run with --firmware=1, or use sjson");
  CHECK(hint_for(1, "attempt to index global 'sjson' (a nil value)") ==
        "sjson came with 2.x — run with --firmware=2, or use cjson");
}

TEST_CASE("a positional wifi.sta.config under profile 2 points at --firmware=1", "[hints]") {
  const char* error = "bad argument #1 to 'config' (config table not found!)";
  CHECK(hint_for(2, error).starts_with("wifi.sta.config(ssid, pwd, …) is the 1.x API"));
  CHECK(hint_for(1, error).empty());
}

TEST_CASE("names the coverage audit removed from a profile point at the one that has them", "[hints]") {
  CHECK(hint_for(1, "x.lua:1: attempt to call field 'getcontents' (a nil value)") ==
        "file.getcontents() came with 3.x — run with --firmware=3");
  CHECK(hint_for(2, "x.lua:1: attempt to call field 'getcontents' (a nil value)") ==
        "file.getcontents() came with 3.x — run with --firmware=3");
  CHECK(hint_for(3, "x.lua:1: attempt to call field 'getcontents' (a nil value)").empty());
  CHECK(hint_for(2, "x.lua:1: attempt to call field 'fifodepth' (a nil value)") ==
        "uart.fifodepth() came with 3.x — run with --firmware=3");
  CHECK(hint_for(3, "x.lua:1: attempt to call field 'toHex' (a nil value)") ==
        "crypto.toHex() is the 1.x/2.x API — run with --firmware=2, or use encoder's function of "
        "that name");
  CHECK(hint_for(1, "x.lua:1: attempt to call field 'toBase64' (a nil value)").empty());
}

TEST_CASE("a 2.x socket method called under profile 1 points at --firmware=2", "[hints]") {
  CHECK(hint_for(1, "x.lua:3: attempt to call method 'getaddr' (a nil value)") ==
        "the socket's :getaddr() came with 2.x — run with --firmware=2");
  CHECK(hint_for(1, "x.lua:3: attempt to call method 'ttl' (a nil value)") ==
        "the socket's :ttl() came with 2.x — run with --firmware=2");
  CHECK(hint_for(2, "x.lua:3: attempt to call method 'getaddr' (a nil value)").empty());
}
