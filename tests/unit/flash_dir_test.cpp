// core::flash::FlashDir: SPIFFS names over a host folder, the device's limits, and that no name or
// link ever reaches a file outside the folder (with both resolvers).
#include "core/flash_dir.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;
using nodemcu_emu::core::flash::FlashDir;
using nodemcu_emu::core::flash::FlashFile;
using nodemcu_emu::core::flash::host_safe;
using nodemcu_emu::core::flash::Resolver;
using nodemcu_emu::core::flash::spiffs_name;

namespace {

// A fresh folder /tmp/flash_test.XXXXXX with a flash/ inside and room for "outside" files.
struct Sandbox {
  fs::path base;
  fs::path flash;
  Sandbox() {
    std::string templ = (fs::temp_directory_path() / "flash_test.XXXXXX").string();
    base = mkdtemp(templ.data());
    flash = base / "flash";
    fs::create_directory(flash);
  }
  ~Sandbox() {
    std::error_code ec;
    fs::remove_all(base, ec);
  }
  static void put(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }
  static std::string get(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

std::string read_all(FlashFile& f) {
  std::string out;
  char buf[64];
  long n;
  while ((n = f.read(buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

bool listed(FlashDir& dir, const std::string& name) {
  auto entries = dir.list();
  return std::any_of(entries.begin(), entries.end(), [&](auto& e) { return e.name == name; });
}

}  // namespace

TEST_CASE("spiffs_name strips /FLASH and refuses other drives", "[flash]") {
  CHECK(spiffs_name("init.lua") == "init.lua");
  CHECK(spiffs_name("/FLASH/init.lua") == "init.lua");
  CHECK(spiffs_name("/FLASHinit.lua") == "init.lua");  // myspiffs_realm compares five letters
  CHECK(spiffs_name("http/x.html") == "http/x.html");
  CHECK_FALSE(spiffs_name("/SD0/init.lua"));
  CHECK_FALSE(spiffs_name("/init.lua"));
  CHECK_FALSE(spiffs_name("/etc/passwd"));
}

TEST_CASE("host_safe accepts flat and foldered names, refuses traversal and odd segments",
          "[flash]") {
  CHECK(host_safe("a"));
  CHECK(host_safe("http/index.html"));
  CHECK(host_safe(std::string(31, 'x')));
  CHECK(host_safe("..a"));
  CHECK_FALSE(host_safe(""));
  CHECK_FALSE(host_safe(std::string(32, 'x')));
  CHECK_FALSE(host_safe(".."));
  CHECK_FALSE(host_safe("../x"));
  CHECK_FALSE(host_safe("a/../../x"));
  CHECK_FALSE(host_safe("./x"));
  CHECK_FALSE(host_safe("a//b"));
  CHECK_FALSE(host_safe("a/"));
  CHECK_FALSE(host_safe(std::string("a\0b", 3)));
}

TEST_CASE("a file written is read back and listed under its flat name", "[flash]") {
  Sandbox s;
  auto dir = std::make_shared<FlashDir>(s.flash.string());
  auto f = dir->open("http/index.html", "w");
  REQUIRE(f);
  CHECK(f->write("<h1>hi</h1>"));
  f->close();
  CHECK(Sandbox::get(s.flash / "http" / "index.html") == "<h1>hi</h1>");
  CHECK(listed(*dir, "http/index.html"));
  auto r = dir->open("/FLASH/http/index.html", "r");
  REQUIRE(r);
  CHECK(read_all(*r) == "<h1>hi</h1>");
  CHECK(dir->remove("http/index.html"));
  CHECK_FALSE(fs::exists(s.flash / "http"));  // the emptied folder goes too
}

TEST_CASE("read modes fail on a missing file, unknown modes read", "[flash]") {
  Sandbox s;
  auto dir = std::make_shared<FlashDir>(s.flash.string());
  CHECK_FALSE(dir->open("missing", "r"));
  CHECK_FALSE(dir->open("missing", "r+"));
  CHECK_FALSE(dir->open("missing", "wb"));  // "wb" is read-only for fs_mode2flag
  Sandbox::put(s.flash / "a", "abc");
  auto f = dir->open("a", "wb");
  REQUIRE(f);
  CHECK_FALSE(f->write("x"));
  CHECK(Sandbox::get(s.flash / "a") == "abc");
}

TEST_CASE("seek past the end fails and leaves the position at the end", "[flash]") {
  Sandbox s;
  Sandbox::put(s.flash / "a", "0123456789");
  auto dir = std::make_shared<FlashDir>(s.flash.string());
  auto f = dir->open("a", "r");
  REQUIRE(f);
  CHECK(f->seek(0, 4) == 4);
  CHECK_FALSE(f->seek(1, -5));  // before the start: position kept
  CHECK(f->seek(1, 0) == 4);
  CHECK_FALSE(f->seek(2, 1));  // past the end: moved to the end
  CHECK(f->seek(1, 0) == 10);
}

TEST_CASE("at most 4 files are open; remove and rename need a free one", "[flash]") {
  Sandbox s;
  auto dir = std::make_shared<FlashDir>(s.flash.string());
  std::shared_ptr<FlashFile> files[4];
  const char* names[] = {"f0", "f1", "f2", "f3"};
  for (int i = 0; i < 4; ++i) REQUIRE((files[i] = dir->open(names[i], "w")));
  CHECK(dir->open_files() == 4);
  CHECK_FALSE(dir->open("f4", "w"));
  CHECK_FALSE(dir->remove("f0"));
  CHECK_FALSE(dir->rename("f0", "g0"));
  files[0]->close();
  CHECK(dir->remove("f0"));
  files[1].reset();  // dropping the object closes it too
  CHECK(dir->rename("f1", "g1"));
}

TEST_CASE("rename fails on a missing source or an existing target", "[flash]") {
  Sandbox s;
  Sandbox::put(s.flash / "a", "A");
  Sandbox::put(s.flash / "b", "B");
  auto dir = std::make_shared<FlashDir>(s.flash.string());
  CHECK_FALSE(dir->rename("missing", "c"));
  CHECK_FALSE(dir->rename("a", "b"));
  CHECK(Sandbox::get(s.flash / "b") == "B");
  CHECK(dir->rename("a", "x/y"));
  CHECK(Sandbox::get(s.flash / "x" / "y") == "A");
}

TEST_CASE("a write that does not fit in the flash fails", "[flash]") {
  Sandbox s;
  auto dir = std::make_shared<FlashDir>(s.flash.string(), 10);
  auto f = dir->open("a", "w");
  REQUIRE(f);
  CHECK(f->write("12345678"));
  CHECK_FALSE(f->write("abc"));
  CHECK(f->write("90"));
  CHECK(dir->used_bytes() == 10);
  CHECK(f->seek(0, 0) == 0);
  CHECK(f->write("ab"));  // overwriting needs no room
}

TEST_CASE("format refuses to empty the working directory", "[flash]") {
  auto dir = std::make_shared<FlashDir>(".");
  CHECK_FALSE(dir->format());
}

TEST_CASE("format removes every file of its own folder", "[flash]") {
  Sandbox s;
  Sandbox::put(s.flash / "a", "A");
  fs::create_directory(s.flash / "d");
  Sandbox::put(s.flash / "d" / "b", "B");
  auto dir = std::make_shared<FlashDir>(s.flash.string());
  CHECK(dir->format());
  CHECK(dir->list().empty());
  CHECK(fs::is_empty(s.flash));
}

TEST_CASE("names longer than 31 bytes in the folder are not device files", "[flash]") {
  Sandbox s;
  Sandbox::put(s.flash / std::string(32, 'x'), "A");
  fs::create_directories(s.flash / std::string(20, 'd'));
  Sandbox::put(s.flash / std::string(20, 'd') / std::string(12, 'f'), "B");  // 33 as a name
  auto dir = std::make_shared<FlashDir>(s.flash.string());
  CHECK(dir->list().empty());
}

TEST_CASE("a missing flash folder is created", "[flash]") {
  Sandbox s;
  auto dir = std::make_shared<FlashDir>((s.base / "new").string());
  CHECK(dir->list().empty());
  CHECK(fs::is_directory(s.base / "new"));
}

// ---------------------------------------------------------------------------------------------
// Escapes: every case runs with openat2 (automatic) and with the no-symlink walk.

TEST_CASE("no name or link reaches a file outside the flash folder", "[flash][security]") {
  auto resolver = GENERATE(Resolver::automatic, Resolver::no_symlinks);
  Sandbox s;
  fs::path secret = s.base / "secret";
  Sandbox::put(secret, "SECRET");
  fs::create_symlink(secret, s.flash / "link");      // absolute link out
  fs::create_symlink("../secret", s.flash / "rel");  // relative link out
  fs::create_symlink(s.base, s.flash / "up");        // a folder link out
  fs::create_symlink("/etc/passwd", s.flash / "passwd");
  auto dir = std::make_shared<FlashDir>(s.flash.string(), 3 << 20, resolver);

  for (const char* name : {"link", "rel", "up/secret", "passwd", "../secret", "/etc/passwd",
                           "/FLASH/../secret", "up/../secret"}) {
    INFO(name);
    CHECK_FALSE(dir->open(name, "r"));
    CHECK_FALSE(dir->open(name, "r+"));
    CHECK_FALSE(dir->open(name, "a"));
    CHECK_FALSE(dir->exists(name));
    CHECK_FALSE(dir->remove(name));
    CHECK_FALSE(dir->rename(name, "stolen"));
    CHECK_FALSE(listed(*dir, name));
  }
  CHECK_FALSE(dir->open("link", "w"));  // no truncation of the target through the link
  CHECK_FALSE(dir->open("up/new", "w"));
  CHECK_FALSE(dir->open("../new", "w"));
  Sandbox::put(s.flash / "mine", "MINE");
  CHECK_FALSE(dir->rename("mine", "up/moved"));
  CHECK_FALSE(dir->rename("mine", "../moved"));

  CHECK(Sandbox::get(secret) == "SECRET");
  CHECK(fs::is_symlink(s.flash / "link"));
  CHECK_FALSE(fs::exists(s.base / "new"));
  CHECK_FALSE(fs::exists(s.base / "moved"));
  CHECK(Sandbox::get(s.flash / "mine") == "MINE");
  CHECK_FALSE(fs::exists(s.flash / "stolen"));
}

TEST_CASE("a link to a file inside the folder works with openat2 only", "[flash][security]") {
  Sandbox s;
  Sandbox::put(s.flash / "real", "REAL");
  fs::create_symlink("real", s.flash / "alias");
  auto beneath = std::make_shared<FlashDir>(s.flash.string(), 3 << 20, Resolver::automatic);
  auto strict = std::make_shared<FlashDir>(s.flash.string(), 3 << 20, Resolver::no_symlinks);
  CHECK_FALSE(strict->open("alias", "r"));
  CHECK_FALSE(listed(*strict, "alias"));
  struct open_how how = {};
  how.flags = O_RDONLY | O_DIRECTORY;
  long probe = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof how);
  if (probe < 0) {
    WARN("no openat2 on this kernel: links are never followed, nothing more to check");
    return;
  }
  close(static_cast<int>(probe));
  auto f = beneath->open("alias", "r");
  REQUIRE(f);
  CHECK(read_all(*f) == "REAL");
  CHECK(listed(*beneath, "alias"));
}

TEST_CASE("a FIFO in the folder is not a file and does not block", "[flash][security]") {
  Sandbox s;
  REQUIRE(mkfifo((s.flash / "pipe").c_str(), 0600) == 0);
  auto dir = std::make_shared<FlashDir>(s.flash.string());
  CHECK_FALSE(dir->open("pipe", "r"));
  CHECK_FALSE(dir->exists("pipe"));
  CHECK_FALSE(listed(*dir, "pipe"));
}
