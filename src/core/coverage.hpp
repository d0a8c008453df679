// --coverage: which lines of the Lua files a run executed, written as LCOV (genhtml renders it).
// A line hook counts every line run, inside callbacks too (one hook on the state; coroutines
// inherit it). The lines that could run come from the compiled chunk itself: the first time a
// file's code runs, its function is dumped (lua_dump) and the line of every instruction of it
// and of its nested functions is read from the bytecode, so a line never reached shows as 0.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "lua/lua.hpp"

namespace nodemcu_emu::core {

class Coverage {
 public:
  // fs_dir: the flash folder, where a chunk named "@init.lua" may live.
  explicit Coverage(std::string fs_dir) : fs_dir_(std::move(fs_dir)) {}

  // Installs the hook on a new state (at every boot). Only chunks named "@path" (files) count.
  void attach(lua_State* L);
  // Writes LCOV ("SF:", "DA:line,count", "LF", "LH", "end_of_record" per file). False on error.
  bool write(const std::string& path) const;

  // The lines of code in a dumped Lua 5.1 chunk (lua_dump's format: instructions' line numbers
  // of the function and every nested one). Empty when the dump is not one this reader knows.
  static std::map<int, std::uint64_t> code_lines(const std::string& dump);

 private:
  static void hook(lua_State* L, lua_Debug* ar);
  void line(lua_State* L, lua_Debug* ar);
  std::string host_path(const std::string& name) const;

  std::string fs_dir_;
  // Per chunk name (without '@'): line → times run.
  std::map<std::string, std::map<int, std::uint64_t>> files_;
  const char* last_source_ = nullptr;  // the chunk name of the last line event (a fast path)
  std::string last_name_;
  std::map<int, std::uint64_t>* last_file_ = nullptr;
};

}  // namespace nodemcu_emu::core
