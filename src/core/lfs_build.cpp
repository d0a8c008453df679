#include "core/lfs_build.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "lua/lua.hpp"

namespace nodemcu_emu::core {

namespace {

namespace fs = std::filesystem;

// The files a path stands for: itself, or a folder's *.lua files in name order.
bool expand(const std::string& path, std::vector<fs::path>& files, std::string& error) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(path, ec))
      if (entry.is_regular_file() && entry.path().extension() == ".lua") found.push_back(entry.path());
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
    return true;
  }
  if (!fs::is_regular_file(path, ec)) {
    error = "cannot read " + path;
    return false;
  }
  files.emplace_back(path);
  return true;
}

// Compiles the source as the device would at node.LFS.get; the error text if it does not.
std::string compile_error(const std::string& source, const std::string& chunkname) {
  std::unique_ptr<lua_State, void (*)(lua_State*)> L(luaL_newstate(), lua_close);
  if (!L) return "not enough memory";
  if (luaL_loadbuffer(L.get(), source.data(), source.size(), chunkname.c_str()) == 0) return {};
  const char* msg = lua_tostring(L.get(), -1);
  return msg ? msg : "?";
}

}  // namespace

std::optional<LfsImage> build_lfs_image(const std::vector<std::string>& paths, std::string& error) {
  std::vector<fs::path> files;
  for (const auto& p : paths)
    if (!expand(p, files, error)) return std::nullopt;
  LfsImage image;
  image.time = static_cast<std::int64_t>(std::time(nullptr));
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      error = "cannot read " + file.string();
      return std::nullopt;
    }
    std::string name = file.stem().string();
    if (name.empty() || name.find_first_of(" \n") != std::string::npos) {
      error = "cannot use " + file.string() + " as an LFS module name";
      return std::nullopt;
    }
    if (image.find(name)) {
      error = "two files give the LFS module '" + name + "'";
      return std::nullopt;
    }
    std::string source = text.str();
    std::string chunkname = file.filename().string();
    chunkname.insert(chunkname.begin(), '@');
    std::string failed = compile_error(source, chunkname);
    if (!failed.empty()) {
      error = failed;
      return std::nullopt;
    }
    image.modules.push_back({std::move(name), std::move(source)});
  }
  return image;
}

std::uint32_t default_lfs_size(const LfsImage& image) {
  auto bytes = static_cast<std::uint32_t>(image.size());
  std::uint32_t rounded = (bytes + 0xFFF) & ~0xFFFu;
  return std::max<std::uint32_t>(0x20000, rounded);
}

}  // namespace nodemcu_emu::core
