#include "devices/attach_spec.hpp"

#include <cctype>
#include <charconv>

namespace nodemcu_emu::devices {

std::optional<long long> parse_spec_integer(std::string_view text) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
    base = 16;
  }
  long long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

namespace {

bool is_name(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

// "BUS[.INDEX][:ADDRESS]"
bool parse_location(std::string_view text, core::board::Location& at, std::string& error) {
  std::string_view bus = text;
  if (auto colon = text.find(':'); colon != std::string_view::npos) {
    bus = text.substr(0, colon);
    auto address = parse_spec_integer(text.substr(colon + 1));
    if (!address || *address < 0) {
      error = "bad address '" + std::string(text.substr(colon + 1)) + "'";
      return false;
    }
    at.address = *address;
  }
  if (auto dot = bus.find('.'); dot != std::string_view::npos) {
    auto index = parse_spec_integer(bus.substr(dot + 1));
    if (!index || *index < 0 || *index > 255) {
      error = "bad bus index '" + std::string(bus.substr(dot + 1)) + "'";
      return false;
    }
    at.index = static_cast<int>(*index);
    bus = bus.substr(0, dot);
  }
  if (!is_name(bus)) {
    error = "bad bus name '" + std::string(bus) + "'";
    return false;
  }
  at.bus = std::string(bus);
  return true;
}

}  // namespace

std::optional<AttachSpec> parse_attach_spec(std::string_view text, std::string& error) {
  auto fail = [&](std::string why) {
    error = "--attach '" + std::string(text) + "': " + why +
            " (expected BUS[:ADDRESS]=KIND[:PARAM][,KEY=VALUE...], e.g. i2c:0x76=bme280)";
    return std::nullopt;
  };
  auto eq = text.find('=');
  if (eq == std::string_view::npos) return fail("no '='");
  AttachSpec spec;
  std::string why;
  if (!parse_location(text.substr(0, eq), spec.at, why)) return fail(why);

  std::string_view rest = text.substr(eq + 1);
  std::string_view head = rest.substr(0, rest.find(','));
  rest = head.size() < rest.size() ? rest.substr(head.size() + 1) : std::string_view{};
  if (auto colon = head.find(':'); colon != std::string_view::npos) {
    spec.param = std::string(head.substr(colon + 1));
    head = head.substr(0, colon);
  }
  if (!is_name(head)) return fail("bad model name '" + std::string(head) + "'");
  spec.kind = std::string(head);

  while (!rest.empty()) {
    std::string_view item = rest.substr(0, rest.find(','));
    rest = item.size() < rest.size() ? rest.substr(item.size() + 1) : std::string_view{};
    auto keq = item.find('=');
    if (keq == std::string_view::npos || !is_name(item.substr(0, keq)))
      return fail("option '" + std::string(item) + "' is not KEY=VALUE");
    spec.options.emplace_back(std::string(item.substr(0, keq)), std::string(item.substr(keq + 1)));
  }
  return spec;
}

}  // namespace nodemcu_emu::devices
