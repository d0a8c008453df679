// The --serial pty (core::PseudoTerminal) and the boot banner: what a tool on the slave side reads.
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/pty.hpp"
#include "modules/node/node_banner.hpp"

using nodemcu_emu::core::PseudoTerminal;

namespace {
// Reads what is there within `ms` (a bound, not a threshold: the bytes are there already).
std::string read_some(int fd, int ms = 2000) {
  std::string got;
  pollfd p{fd, POLLIN, 0};
  while (::poll(&p, 1, got.empty() ? ms : 0) > 0) {
    char buf[256];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}
}  // namespace

TEST_CASE("the pty carries bytes both ways, raw, and links where asked", "[serial]") {
  PseudoTerminal pty;
  std::string error;
  REQUIRE(pty.open(error));
  CHECK(pty.slave_path().rfind("/dev/pts/", 0) == 0);

  auto dir = std::filesystem::temp_directory_path() / ("serial_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string link = (dir / "tty").string();
  REQUIRE(pty.link(link, error));
  CHECK(std::filesystem::read_symlink(link) == pty.slave_path());
  // An older link is replaced; another file is never touched.
  REQUIRE(pty.link(link, error));
  std::string plain = (dir / "file").string();
  std::FILE* f = std::fopen(plain.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fclose(f);
  CHECK_FALSE(pty.link(plain, error));
  CHECK(error.find("not a symbolic link") != std::string::npos);

  int tool = ::open(link.c_str(), O_RDWR | O_NOCTTY);
  REQUIRE(tool >= 0);
  pty.write("a\nb\r");
  CHECK(read_some(tool) == "a\nb\r");  // raw: no CR added, none dropped by the line discipline
  REQUIRE(::write(tool, "x\r\n", 3) == 3);
  CHECK(read_some(pty.master()) == "x\r\n");
  ::close(tool);
  std::filesystem::remove_all(dir);
}

TEST_CASE("output nobody could read is dropped when the pty is announced", "[serial]") {
  PseudoTerminal pty;
  std::string error;
  REQUIRE(pty.open(error));
  pty.write("boot banner\n");
  pty.discard_unread();
  int tool = ::open(pty.slave_path().c_str(), O_RDWR | O_NOCTTY);
  REQUIRE(tool >= 0);
  CHECK(read_some(tool, 50).empty());
  pty.write("> ");
  CHECK(read_some(tool) == "> ");
  ::close(tool);
}

TEST_CASE("the boot banner per firmware profile", "[serial]") {
  using nodemcu_emu::modules::node::boot_banner;
  // The build date is the release's (node_version.hpp); only the shape is checked here.
  CHECK(boot_banner(2).rfind("\nNodeMCU 2.2.1.0 build ", 0) == 0);
  CHECK(boot_banner(2).find(" powered by Lua 5.1") != std::string::npos);
  CHECK(boot_banner(2).find("on SDK 2.2.1(6ab97e9)\n") != std::string::npos);
  CHECK(boot_banner(1).rfind("\nNodeMCU 1.5.4.1 build ", 0) == 0);
  CHECK(boot_banner(3).find("\tbranch: release\n") != std::string::npos);
  CHECK(boot_banner(3).back() == '\n');
}
