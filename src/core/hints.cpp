#include "core/hints.hpp"

#include "core/console.hpp"
#include "core/device.hpp"

namespace nodemcu_emu::core {

namespace {

// Which profiles have a name: bit p for profile p. None: the firmware has it, we do not yet.
constexpr unsigned k_v1 = 1u << 1, k_v2 = 1u << 2, k_v3 = 1u << 3, k_none = 0;

struct KnownName {
  const char* name;
  bool global;        // a module (global) or a field of one
  unsigned profiles;  // where the emulator provides it
  const char* hint;   // nullptr for a module not emulated yet
};

constexpr const char* k_tmr_v1 = "is the 1.x API — run with --firmware=1, or use tmr.create()";
constexpr const char* k_monitor_v1 =
    "is the 1.x API — run with --firmware=1, or use wifi.eventmon.register()";
constexpr const char* k_came_with_2 = "came with 2.x — run with --firmware=2";
constexpr const char* k_came_with_3 = "came with 3.x — run with --firmware=3";
constexpr const char* k_in_encoder =
    "is the 1.x/2.x API — run with --firmware=2, or use encoder's function of that name";

constexpr KnownName k_names[] = {
    // tmr's numbered timers (tmr.c@1.5.4.1-master_20161201 tmr_map), gone in 2.x.
    {"alarm", false, k_v1, k_tmr_v1},
    {"register", false, k_v1, k_tmr_v1},
    {"unregister", false, k_v1, k_tmr_v1},
    {"start", false, k_v1, k_tmr_v1},
    {"stop", false, k_v1, k_tmr_v1},
    {"state", false, k_v1, k_tmr_v1},
    {"interval", false, k_v1, k_tmr_v1},
    {"ccount", false, k_v3, k_came_with_3},
    // wifi (wifi.c, wifi_eventmon.c@1.5.4.1-master_20161201).
    {"eventMonReg", false, k_v1, k_monitor_v1},
    {"eventMonStart", false, k_v1, k_monitor_v1},
    {"eventMonStop", false, k_v1, k_monitor_v1},
    {"clearconfig", false, k_v2 | k_v3, k_came_with_2},
    // file.c, uart.c: not in 2.2.1's maps (docs/firmware-coverage.md).
    {"getcontents", false, k_v3, k_came_with_3},
    {"putcontents", false, k_v3, k_came_with_3},
    {"fifodepth", false, k_v3, k_came_with_3},
    // crypto.c up to 2.2.1; 3.0 moved them to encoder.
    {"toHex", false, k_v1 | k_v2, k_in_encoder},
    {"toBase64", false, k_v1 | k_v2, k_in_encoder},
    {"getcountry", false, k_v2 | k_v3, k_came_with_2},
    {"setcountry", false, k_v2 | k_v3, k_came_with_2},
    {"setmaxtxpower", false, k_v2 | k_v3, k_came_with_2},
    {"ifinfo", false, k_v3, "is the 3.x API — run with --firmware=3"},
    // net.c: 1.5.4.1's net.socket/net.server have neither (sck:getaddr() in the error).
    {"getaddr", false, k_v2 | k_v3, k_came_with_2},
    {"ttl", false, k_v2 | k_v3, k_came_with_2},
    {"ping", false, k_v3, "is the 3.x API — run with --firmware=3"},
    // node (node.c node_map at the three tags; 2.2.1 builds without LUA_FLASH_STORE).
    {"random", false, k_v2 | k_v3, k_came_with_2},
    {"getcpufreq", false, k_v2 | k_v3, k_came_with_2},
    {"dsleepMax", false, k_v2 | k_v3, k_came_with_2},
    {"setonerror", false, k_v3, k_came_with_3},
    {"startupcommand", false, k_v3, k_came_with_3},
    {"startup", false, k_v3, k_came_with_3},
    {"flashindex", false, k_v3, k_came_with_3},
    {"flashreload", false, k_v3, k_came_with_3},
    {"getpartitiontable", false, k_v3, k_came_with_3},
    {"setpartitiontable", false, k_v3, k_came_with_3},
    {"LFS", false, k_v3, k_came_with_3},
    // JSON: cjson in 1.5.4.1, sjson from 2.x.
    {"cjson", true, k_v1, "is the 1.x JSON module — run with --firmware=1, or use sjson"},
    {"sjson", true, k_v2 | k_v3, "came with 2.x — run with --firmware=2, or use cjson"},
    // Firmware modules the emulator does not provide yet (app/modules/*.c).
    {"ws2801", true, k_none, nullptr},
    {"http", true, k_none, nullptr},    {"websocket", true, k_none, nullptr},
    {"mdns", true, k_none, nullptr},    {"enduser_setup", true, k_none, nullptr},
    {"u8g", true, k_none, nullptr},     {"u8g2", true, k_none, nullptr},
    {"ucg", true, k_none, nullptr},     {"coap", true, k_none, nullptr},
    {"bme280", true, k_none, nullptr},  {"bmp085", true, k_none, nullptr},
    {"hx711", true, k_none, nullptr},   {"rotary", true, k_none, nullptr},
    {"struct", true, k_none, nullptr},  {"cron", true, k_none, nullptr},
    {"pcm", true, k_none, nullptr},     {"perf", true, k_none, nullptr},
    {"rtcfifo", true, k_none, nullptr}, {"sigma_delta", true, k_none, nullptr},
    {"apa102", true, k_none, nullptr},  {"tsl2561", true, k_none, nullptr},
    {"am2320", true, k_none, nullptr},  {"si7021", true, k_none, nullptr},
    {"tls", true, k_none, nullptr},     {"softuart", true, k_none, nullptr},
    {"color_utils", true, k_none, nullptr},
    // 3.x modules (pixbuf.c, pwm2.c appeared after 2.2.1).
    {"pixbuf", true, k_v3, "is a 3.x module — run with --firmware=3 (2.x: ws2812.newBuffer)"},
    {"pwm2", true, k_v3, "is a 3.x module — run with --firmware=3, or use pwm"},
};

// Errors that are not about a nil name but still mean "this is another profile's API": the
// message part, the profiles the hint is for, the hint.
struct KnownMessage {
  const char* part;
  unsigned profiles;
  const char* hint;
};

constexpr KnownMessage k_messages[] = {
    // wifi.c sta_config from 2.x on: only a table (1.5.4.1 also took ssid, pwd positionally).
    {"to 'config' (config table not found!)", k_v2 | k_v3,
     "wifi.sta.config(ssid, pwd, …) is the 1.x API — run with --firmware=1, or pass "
     "{ssid=…, pwd=…}"},
};

// The name in "attempt to call|index field|global|method 'NAME' (a nil value)", or "".
std::string_view nil_name(std::string_view error, bool& global) {
  for (std::string_view verb : {"attempt to call ", "attempt to index "}) {
    auto at = error.find(verb);
    if (at == std::string_view::npos) continue;
    std::string_view rest = error.substr(at + verb.size());
    if (rest.starts_with("global '")) global = true;
    else if (rest.starts_with("field '") || rest.starts_with("method '")) global = false;
    else continue;
    rest = rest.substr(rest.find('\'') + 1);
    auto quote = rest.find('\'');
    if (quote == std::string_view::npos) continue;
    if (!rest.substr(quote).starts_with("' (a nil value)")) continue;
    return rest.substr(0, quote);
  }
  return {};
}

std::string qualified(const KnownName& k) {
  std::string_view n = k.name;
  if (k.global) return std::string(n);
  if (n.starts_with("eventMon") || n == "clearconfig") return "wifi.sta." + std::string(n);
  if (n == "getcountry" || n == "setcountry" || n == "setmaxtxpower") return "wifi." + std::string(n);
  if (n.ends_with("contents")) return "file." + std::string(n) + "()";
  if (n == "fifodepth") return "uart.fifodepth()";
  if (n == "getaddr" || n == "ttl") return "the socket's :" + std::string(n) + "()";
  if (n.starts_with("to")) return "crypto." + std::string(n) + "()";
  if (n == "ifinfo") return "net.ifinfo()";
  if (n == "ping") return "net.ping()";
  if (n == "ccount") return "tmr.ccount()";
  if (n == "LFS") return "node.LFS";
  if (n == "random" || n == "getcpufreq" || n == "dsleepMax" || n == "setonerror" ||
      n.starts_with("startup") || n.starts_with("flash") || n.ends_with("partitiontable"))
    return "node." + std::string(n) + "()";
  return "tmr." + std::string(n) + "(id, …)";
}

}  // namespace

std::string hint_for(int firmware, std::string_view error) {
  for (const KnownMessage& m : k_messages)
    if ((m.profiles & (1u << firmware)) && error.find(m.part) != std::string_view::npos)
      return m.hint;
  bool global = false;
  std::string_view name = nil_name(error, global);
  if (name.empty()) return {};
  for (const KnownName& k : k_names) {
    if (k.global != global || name != k.name) continue;
    if (k.profiles & (1u << firmware)) return {};  // it exists here: the nil is something else
    if (!k.hint) return "the " + std::string(name) + " module is not emulated yet";
    return qualified(k) + " " + k.hint;
  }
  return {};
}

void Device::print_hint(const std::string& error) const {
  std::string hint = hint_for(options_.firmware, error);
  if (!hint.empty()) Console::diagnostic("nodemcu-emu: hint: " + hint);
}

}  // namespace nodemcu_emu::core
