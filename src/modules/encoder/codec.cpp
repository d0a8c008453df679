#include "modules/encoder/codec.hpp"

#include <array>
#include <cstdint>

namespace nodemcu_emu::encoder {

namespace {

constexpr std::string_view k_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::uint8_t k_invalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = k_invalid;
  for (std::size_t i = 0; i < k_alphabet.size(); ++i)
    table[static_cast<unsigned char>(k_alphabet[i])] = static_cast<std::uint8_t>(i);
  return table;
}
constexpr auto k_decode = make_decode_table();

std::uint8_t sextet(char c) {
  return k_decode[static_cast<unsigned char>(c)];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string to_base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    unsigned a = static_cast<unsigned char>(bytes[i]);
    unsigned b = i + 1 < bytes.size() ? static_cast<unsigned char>(bytes[i + 1]) : 0;
    unsigned c = i + 2 < bytes.size() ? static_cast<unsigned char>(bytes[i + 2]) : 0;
    out += k_alphabet[a >> 2];
    out += k_alphabet[((a & 3) << 4) | (b >> 4)];
    out += i + 1 < bytes.size() ? k_alphabet[((b & 15) << 2) | (c >> 6)] : '=';
    out += i + 2 < bytes.size() ? k_alphabet[c & 63] : '=';
  }
  return out;
}

std::optional<std::string> from_base64(std::string_view text) {
  std::size_t n = text.size();
  if (n == 0) return std::string();
  if (n % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (text[n - 1] == '=') pad = text[n - 2] != '=' ? 1 : 2;
  for (std::size_t i = 0; i < n - pad; ++i)
    if (sextet(text[i]) == k_invalid) return std::nullopt;
  // Only the final block may be padded; '=' counts as zero bits there (as in the firmware).
  auto value = [&](std::size_t i) -> unsigned { return text[i] == '=' ? 0 : sextet(text[i]); };
  std::string out;
  out.reserve(n / 4 * 3);
  std::size_t full_blocks = n / 4 - (pad ? 1 : 0);
  for (std::size_t blk = 0; blk < full_blocks; ++blk) {
    std::size_t i = blk * 4;
    unsigned a = value(i), b = value(i + 1), c = value(i + 2), d = value(i + 3);
    out += static_cast<char>((a << 2) | (b >> 4));
    out += static_cast<char>(((b << 4) | (c >> 2)) & 0xFF);
    out += static_cast<char>(((c << 6) | d) & 0xFF);
  }
  if (pad) {
    std::size_t i = full_blocks * 4;
    unsigned a = value(i), b = value(i + 1);
    out += static_cast<char>(((a << 2) | (b >> 4)) & 0xFF);
    if (pad == 1) out += static_cast<char>(((b << 4) | (value(i + 2) >> 2)) & 0xFF);
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    auto byte = static_cast<unsigned char>(ch);
    out += digits[byte >> 4];
    out += digits[byte & 0xF];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

}  // namespace nodemcu_emu::encoder
