#include "core/lfs_image.hpp"

#include <charconv>

namespace nodemcu_emu::core {

namespace {

constexpr std::string_view k_magic = "NODEMCU-EMU-LFS 1\n";

// The next line of `in` (without its newline), consumed; nullopt at the end.
std::optional<std::string_view> take_line(std::string_view& in) {
  auto nl = in.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view line = in.substr(0, nl);
  in.remove_prefix(nl + 1);
  return line;
}

template <class T>
bool parse_number(std::string_view s, T& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

const LfsModule* LfsImage::find(std::string_view name) const {
  for (const auto& m : modules)
    if (m.name == name) return &m;
  return nullptr;
}

std::size_t LfsImage::size() const { return encode_lfs(*this).size(); }

std::string encode_lfs(const LfsImage& image) {
  std::string out(k_magic);
  out += "time " + std::to_string(image.time) + "\n";
  for (const auto& m : image.modules) {
    out += "module " + m.name + " " + std::to_string(m.source.size()) + "\n";
    out += m.source;
    out += '\n';
  }
  return out;
}

std::optional<LfsImage> decode_lfs(std::string_view in, std::string& error) {
  if (!in.starts_with(k_magic)) {
    error = "incorrect LFS header signature";
    return std::nullopt;
  }
  in.remove_prefix(k_magic.size());
  LfsImage image;
  auto time_line = take_line(in);
  if (!time_line || !time_line->starts_with("time ") ||
      !parse_number(time_line->substr(5), image.time)) {
    error = "incorrect LFS header signature";
    return std::nullopt;
  }
  while (!in.empty()) {
    auto line = take_line(in);
    std::size_t space = line ? line->rfind(' ') : std::string_view::npos;
    std::size_t length = 0;
    if (!line || !line->starts_with("module ") || space <= 7 ||
        !parse_number(line->substr(space + 1), length) || length + 1 > in.size() ||
        in[length] != '\n') {
      error = "LFS length mismatch";
      return std::nullopt;
    }
    image.modules.push_back({std::string(line->substr(7, space - 7)), std::string(in.substr(0, length))});
    in.remove_prefix(length + 1);
  }
  return image;
}

bool is_luac_cross_image(std::string_view bytes) {
  // luac.cross -f writes a gzip stream (1f 8b); an uncompressed image starts with FLASH_SIG
  // (0xfafaa150 | flags, lflash.h) in little-endian order.
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
      static_cast<unsigned char>(bytes[1]) == 0x8b)
    return true;
  return bytes.size() >= 4 && static_cast<unsigned char>(bytes[3]) == 0xfa &&
         static_cast<unsigned char>(bytes[2]) == 0xfa &&
         (static_cast<unsigned char>(bytes[1]) & 0xf0) == 0xa0;
}

}  // namespace nodemcu_emu::core
