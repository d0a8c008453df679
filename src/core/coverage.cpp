#include "core/coverage.hpp"

#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/device.hpp"
#include "core/lcov.hpp"

namespace nodemcu_emu::core {

namespace {

// A reader of lua_dump's output (Lua 5.1, lundump.c's layout), for the line numbers only.
class DumpReader {
 public:
  explicit DumpReader(const std::string& d) : d_(d) {}

  bool read(std::map<int, std::uint64_t>& lines) {
    // "\x1bLua", 0x51, format 0, little endian, int 4, size_t 8, Instruction 4, number 8, float.
    static const char header[] = {'\x1b', 'L', 'u', 'a', 0x51, 0, 1, 4, 8, 4, 8, 0};
    if (d_.size() < sizeof header || std::memcmp(d_.data(), header, sizeof header) != 0)
      return false;
    pos_ = sizeof header;
    return function(lines, 0);
  }

 private:
  bool take(std::size_t n) {
    if (d_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  bool integer(long long& v, std::size_t size) {
    if (d_.size() - pos_ < size) return false;
    std::uint64_t u = 0;
    std::memcpy(&u, d_.data() + pos_, size);  // little endian, checked by the header
    pos_ += size;
    v = size == 4 ? static_cast<std::int32_t>(u) : static_cast<long long>(u);
    return true;
  }
  bool count(long long& n) { return integer(n, 4) && n >= 0 && n <= INT_MAX; }
  bool string() {
    long long n = 0;
    return integer(n, 8) && n >= 0 && take(static_cast<std::size_t>(n));
  }

  bool function(std::map<int, std::uint64_t>& lines, int depth) {
    long long n = 0, v = 0;
    if (depth > 200 || !string() || !integer(v, 4) || !integer(v, 4) || !take(4)) return false;
    if (!count(n) || !take(static_cast<std::size_t>(n) * 4)) return false;  // code
    if (!count(n)) return false;  // constants
    for (long long i = 0; i < n; ++i) {
      if (pos_ >= d_.size()) return false;
      char type = d_[pos_++];
      bool ok = type == LUA_TNIL || (type == LUA_TBOOLEAN && take(1)) ||
                (type == LUA_TNUMBER && take(8)) || (type == LUA_TSTRING && string());
      if (!ok) return false;
    }
    if (!count(n)) return false;  // nested functions
    for (long long i = 0; i < n; ++i)
      if (!function(lines, depth + 1)) return false;
    if (!count(n)) return false;  // the line of each instruction
    for (long long i = 0; i < n; ++i) {
      if (!integer(v, 4)) return false;
      if (v > 0) lines.emplace(static_cast<int>(v), 0);
    }
    if (!count(n)) return false;  // locals: name, startpc, endpc
    for (long long i = 0; i < n; ++i)
      if (!string() || !take(8)) return false;
    if (!count(n)) return false;  // upvalue names
    for (long long i = 0; i < n; ++i)
      if (!string()) return false;
    return true;
  }

  const std::string& d_;
  std::size_t pos_ = 0;
};

int append_dump(lua_State*, const void* p, std::size_t size, void* ud) {
  static_cast<std::string*>(ud)->append(static_cast<const char*>(p), size);
  return 0;
}

}  // namespace

std::map<int, std::uint64_t> Coverage::code_lines(const std::string& dump) {
  std::map<int, std::uint64_t> lines;
  if (!DumpReader(dump).read(lines)) lines.clear();
  return lines;
}

void Coverage::attach(lua_State* L) {
  last_source_ = nullptr;
  last_file_ = nullptr;
  lua_sethook(L, &Coverage::hook, LUA_MASKLINE, 0);
}

void Coverage::hook(lua_State* L, lua_Debug* ar) {
  if (ar->event != LUA_HOOKLINE) return;
  if (Coverage* c = Device::from(L).coverage()) c->line(L, ar);
}

// Runs on every line of Lua code: in the common case a pointer and a string compare (the chunk
// name of the last line; its string may have been collected and the address reused) and a map
// increment.
void Coverage::line(lua_State* L, lua_Debug* ar) {
  if (lua_getinfo(L, "S", ar) == 0 || ar->source == nullptr || ar->source[0] != '@') return;
  if (ar->source != last_source_ || last_file_ == nullptr || last_name_ != ar->source + 1) {
    auto [it, fresh] = files_.try_emplace(ar->source + 1);
    // The first code of a file to run is its main chunk, which holds every function of it.
    if (fresh && lua_getinfo(L, "f", ar) != 0) {
      std::string dump;
      if (lua_iscfunction(L, -1) == 0) lua_dump(L, append_dump, &dump);
      lua_pop(L, 1);
      it->second = code_lines(dump);
    }
    last_source_ = ar->source;
    last_name_ = it->first;
    last_file_ = &it->second;
  }
  if (ar->currentline > 0) ++(*last_file_)[ar->currentline];
}

// A chunk name as the host knows the file: absolute, from the working folder, else the flash.
std::string Coverage::host_path(const std::string& name) const {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p(name);
  if (!p.is_absolute() && !fs::exists(p, ec)) p = fs::path(fs_dir_) / name;
  auto absolute = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return absolute.empty() ? name : absolute.string();
}

bool Coverage::write(const std::string& path) const {
  // Two chunk names may be one file (a relative and an absolute path): their counts add up.
  LcovFiles by_path;
  for (const auto& [name, lines] : files_) {
    auto& file = by_path[host_path(name)];
    for (const auto& [line, n] : lines) file[line] += n;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  return out && write_lcov(out, by_path);
}

}  // namespace nodemcu_emu::core
