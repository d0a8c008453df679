#include <catch2/catch.hpp>

#include "core/lfs_image.hpp"

using namespace nodemcu_emu::core;

TEST_CASE("an LFS image survives encode and decode, sources byte for byte", "[lfs]") {
  LfsImage image;
  image.time = 1700000000;
  image.modules.push_back({"_init", "print('x')\n"});
  static constexpr char k_binary[] = "a\0b\nmodule fake 3\n";  // an embedded NUL
  image.modules.push_back({"bin", std::string(k_binary, sizeof k_binary - 1)});
  std::string error;
  auto back = decode_lfs(encode_lfs(image), error);
  REQUIRE(back);
  CHECK(back->time == 1700000000);
  REQUIRE(back->modules.size() == 2);
  CHECK(back->modules[1].source == image.modules[1].source);
  CHECK(back->find("_init") != nullptr);
  CHECK(back->find("nothing") == nullptr);
  CHECK(back->size() == encode_lfs(image).size());
}

TEST_CASE("a file that is not an image, or a truncated one, gets the firmware's texts", "[lfs]") {
  std::string error;
  CHECK_FALSE(decode_lfs("hello", error));
  CHECK(error == "incorrect LFS header signature");
  LfsImage image;
  image.modules.push_back({"m", "return 1\n"});
  std::string bytes = encode_lfs(image);
  CHECK_FALSE(decode_lfs(bytes.substr(0, bytes.size() - 3), error));
  CHECK(error == "LFS length mismatch");
}

TEST_CASE("luac.cross images are recognised: gzip or the raw FLASH_SIG header", "[lfs]") {
  CHECK(is_luac_cross_image(std::string("\x1f\x8b\x08\x00", 4)));
  CHECK(is_luac_cross_image(std::string("\x50\xa1\xfa\xfa", 4)));
  CHECK_FALSE(is_luac_cross_image(encode_lfs(LfsImage{})));
}
