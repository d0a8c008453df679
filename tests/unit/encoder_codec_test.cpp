// encoder's Base64 and hex conversions (app/modules/encoder.c): RFC 4648 vectors and the
// inputs the firmware refuses.
#include <catch2/catch.hpp>
#include <string>

#include "modules/encoder/codec.hpp"

using namespace nodemcu_emu::encoder;

TEST_CASE("toBase64 follows RFC 4648 with padding", "[encoder]") {
  CHECK(to_base64("") == "");
  CHECK(to_base64("f") == "Zg==");
  CHECK(to_base64("fo") == "Zm8=");
  CHECK(to_base64("foo") == "Zm9v");
  CHECK(to_base64("foob") == "Zm9vYg==");
  CHECK(to_base64("fooba") == "Zm9vYmE=");
  CHECK(to_base64("foobar") == "Zm9vYmFy");
  CHECK(to_base64(std::string("\xff\xfe\x00", 3)) == "//4A");
}

TEST_CASE("fromBase64 reverses toBase64", "[encoder]") {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"})
    CHECK(from_base64(to_base64(s)) == s);
  CHECK(from_base64("//4A") == std::string("\xff\xfe\x00", 3));
}

TEST_CASE("fromBase64 refuses bad lengths and characters", "[encoder]") {
  CHECK_FALSE(from_base64("Zm9"));
  CHECK_FALSE(from_base64("Zm9vY"));
  CHECK_FALSE(from_base64("Zm9!"));
  CHECK_FALSE(from_base64("Z=9v"));  // padding only at the end
  CHECK_FALSE(from_base64("Z==="));
  CHECK_FALSE(from_base64("===="));
  CHECK_FALSE(from_base64("Zm9v\n"));
}

TEST_CASE("toHex is lower case, fromHex takes either case", "[encoder]") {
  CHECK(to_hex("") == "");
  CHECK(to_hex("\x01\xab\xff") == "01abff");
  CHECK(from_hex("01ABff") == std::string("\x01\xab\xff"));
  CHECK(from_hex("") == std::string());
}

TEST_CASE("fromHex refuses odd lengths and non-hex characters", "[encoder]") {
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("zz"));
  CHECK_FALSE(from_hex("0x"));
  CHECK_FALSE(from_hex(" 0"));
}
