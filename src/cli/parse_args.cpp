#include "cli/parse_args.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

#include "devices/catalog.hpp"

namespace nodemcu_emu::cli {

namespace {

struct Failure {
  std::string message;
};

template <class T>
T parse_number(const std::string& option, const std::string& text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    throw Failure{"option '" + option + "' needs a number, got '" + text + "'"};
  return value;
}

double parse_seconds(const std::string& option, const std::string& text) {
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || v < 0)
    throw Failure{"option '" + option + "' needs a number of seconds, got '" + text + "'"};
  return v;
}

std::uint16_t parse_port(const std::string& option, const std::string& text) {
  auto v = parse_number<unsigned>(option, text);
  if (v == 0 || v > 65535) throw Failure{"option '" + option + "': port out of range: " + text};
  return static_cast<std::uint16_t>(v);
}

void parse_limits(Limits& limits, const std::string& text) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    std::size_t eq = item.find('=');
    if (eq == std::string::npos) throw Failure{"--limits: expected NAME=N, got '" + item + "'"};
    std::string name = item.substr(0, eq);
    int n = parse_number<int>("--limits " + name, item.substr(eq + 1));
    if (n < 0) throw Failure{"--limits: " + name + " must be >= 0"};
    if (name == "tcp") limits.tcp = n;
    else if (name == "dns") limits.dns_table = n;
    else if (name == "dns-servers") limits.dns_servers = n;
    else if (name == "igmp") limits.igmp = n;
    else throw Failure{"--limits: unknown limit '" + name + "' (tcp, dns, dns-servers, igmp)"};
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
}

// --attach SPEC: the syntax and the kind are checked here, so that a typo is a usage error; the
// model is built (and its options checked) when the device is wired, before power-on.
void parse_attach(Options& o, const std::string& v) {
  std::string error;
  auto spec = devices::parse_attach_spec(v, error);
  if (!spec) throw Failure{error};
  if (!devices::find_kind(spec->kind))
    throw Failure{"--attach '" + v + "': unknown model '" + spec->kind + "' (" +
                  devices::describe_kinds() + ")"};
  o.attach.push_back(v);
}

// --wifi ok | wrong-password | no-ap | drop-after=SECONDS
void parse_wifi(WifiScenario& wifi, const std::string& v) {
  using N = WifiScenario::Network;
  if (v == "ok") wifi.network = N::ok;
  else if (v == "wrong-password") wifi.network = N::wrong_password;
  else if (v == "no-ap") wifi.network = N::no_ap;
  else if (v.rfind("drop-after=", 0) == 0)
    wifi.drop_after_seconds = parse_seconds("--wifi drop-after", v.substr(11));
  else
    throw Failure{"--wifi must be ok, wrong-password, no-ap or drop-after=SECONDS, not '" + v +
                  "'"};
}

// --adc N (0..1024, the TOUT pin) | vdd33 (the ADC measures the supply instead)
void parse_adc(Options& o, const std::string& v) {
  if (v == "vdd33") {
    o.adc_vdd33 = true;
    return;
  }
  int n = parse_number<int>("--adc", v);
  if (n < 0 || n > 1024) throw Failure{"--adc must be 0..1024 or vdd33, not '" + v + "'"};
  o.adc_value = n;
}

void set_trace(Options& o, const std::optional<std::string>& value) {
  o.trace = true;
  if (!value) return;
  const std::string& v = *value;
  if (v == "json") {
    o.trace_json = true;
  } else if (v.rfind("json:", 0) == 0) {
    o.trace_json = true;
    o.trace_file = v.substr(5);
  } else {
    o.trace_file = v;
    o.trace_json = v.size() > 5 && (v.ends_with(".json") || v.ends_with(".jsonl"));
  }
}

// 1 = 1.5.4.1 (numbered timers, cjson), 2 = 2.2.1, 3 = 3.0 (docs/firmware-1.md).
int parse_firmware(const std::string& source, const std::string& v) {
  if (v == "1") return 1;
  if (v == "2") return 2;
  if (v == "3") return 3;
  throw Failure{source + " must be 1, 2 or 3, not '" + v + "'"};
}

// --lfs-size BYTES (decimal or 0x hex): whole 4 KB flash sectors, and room left in the 4 MB
// flash after the firmware (the partition starts at 0xA0000).
std::uint32_t parse_lfs_size(const std::string& v) {
  std::size_t used = 0;
  unsigned long n = 0;
  try {
    n = std::stoul(v, &used, 0);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || n % 0x1000 != 0 || n > 0x400000 - 0xA0000 - 0x5000)
    throw Failure{"--lfs-size must be a multiple of 4096 up to 3518464 (0x35B000), not '" + v + "'"};
  return static_cast<std::uint32_t>(n);
}

// A long option: does it take a value, and what does it do with it.
struct LongOption {
  enum Arg { none, required, optional } arg;
  std::function<void(Options&, const std::optional<std::string>&)> apply;
};

const std::map<std::string, LongOption>& long_options() {
  using V = const std::optional<std::string>&;
  static const std::map<std::string, LongOption> table = {
      {"fs", {LongOption::required, [](Options& o, V v) { o.fs_dir = *v; }}},
      {"boot", {LongOption::none, [](Options& o, V) { o.boot = true; }}},
      {"host-libs", {LongOption::none, [](Options& o, V) { o.host_libs = true; }}},
      {"virtual-time", {LongOption::none, [](Options& o, V) { o.virtual_time = true; }}},
      {"coverage", {LongOption::optional,
                    [](Options& o, V v) { o.coverage_file = v && !v->empty() ? *v : "coverage.lcov"; }}},
      {"real-time", {LongOption::none, [](Options& o, V) { o.virtual_time = false; }}},
      {"run-for", {LongOption::required,
                   [](Options& o, V v) { o.run_for_seconds = parse_seconds("--run-for", *v); }}},
      {"on-error", {LongOption::required, [](Options& o, V v) {
                      if (*v == "panic") o.on_error = OnError::panic;
                      else if (*v == "restart") o.on_error = OnError::restart;
                      else if (*v == "continue") o.on_error = OnError::continue_;
                      else throw Failure{"--on-error must be panic, restart or continue, not '" + *v + "'"};
                    }}},
      {"trace", {LongOption::optional, [](Options& o, V v) { set_trace(o, v); }}},
      {"heap", {LongOption::required,
                [](Options& o, V v) { o.heap_bytes = parse_number<std::size_t>("--heap", *v); }}},
      {"idle-grace", {LongOption::required,
                      [](Options& o, V v) { o.idle_grace_ms = parse_seconds("--idle-grace", *v); }}},
      {"peer-grace", {LongOption::required,
                      [](Options& o, V v) { o.peer_grace_ms = parse_seconds("--peer-grace", *v); }}},
      {"epoch", {LongOption::required, [](Options& o, V v) {
                   if (*v == "now") o.epoch_now = true;
                   else o.epoch_seconds = parse_seconds("--epoch", *v);
                 }}},
      {"firmware", {LongOption::required,
                    [](Options& o, V v) { o.firmware = parse_firmware("--firmware", *v); }}},
      {"timeout-model", {LongOption::required, [](Options& o, V v) {
                           if (*v == "idle") o.timeout_model = TimeoutModel::idle;
                           else if (*v == "keepalive") o.timeout_model = TimeoutModel::keepalive;
                           else throw Failure{"--timeout-model must be idle or keepalive, not '" + *v + "'"};
                         }}},
      {"strict", {LongOption::none, [](Options& o, V) { o.strict = true; }}},
      {"frame-size", {LongOption::required, [](Options& o, V v) {
                        auto n = parse_number<std::size_t>("--frame-size", *v);
                        if (n == 0 || n > 65535) throw Failure{"--frame-size must be 1..65535"};
                        o.frame_size = n;
                      }}},
      {"limits", {LongOption::required, [](Options& o, V v) { parse_limits(o.limits, *v); }}},
      {"bind", {LongOption::required, [](Options& o, V v) { o.bind_address = *v; }}},
      {"port-map", {LongOption::required, [](Options& o, V v) {
                      auto eq = v->find('=');
                      if (eq == std::string::npos) throw Failure{"--port-map needs P=H, got '" + *v + "'"};
                      // H 0: a free host port, reserved when the emulator starts.
                      std::string host = v->substr(eq + 1);
                      o.port_map[parse_port("--port-map", v->substr(0, eq))] =
                          host == "0" ? 0 : parse_port("--port-map", host);
                    }}},
      {"hosts", {LongOption::required, [](Options& o, V v) { o.hosts_file = *v; }}},
      {"lfs", {LongOption::required, [](Options& o, V v) { o.lfs_dir = *v; }}},
      {"lfs-size", {LongOption::required, [](Options& o, V v) { o.lfs_size = parse_lfs_size(*v); }}},
      {"wifi", {LongOption::required, [](Options& o, V v) { parse_wifi(o.wifi, *v); }}},
      {"adc", {LongOption::required, [](Options& o, V v) { parse_adc(o, *v); }}},
      {"attach", {LongOption::required, [](Options& o, V v) { parse_attach(o, *v); }}},
      {"serial", {LongOption::optional, [](Options& o, V v) {
                    o.serial = true;
                    if (v && v->empty()) throw Failure{"--serial= needs a path (or no '=')"};
                    if (v) o.serial_link = *v;
                  }}},
  };
  return table;
}

// Returns how many extra argv entries were consumed.
int parse_long(Options& o, const std::vector<std::string>& argv, std::size_t i) {
  std::string body = argv[i].substr(2);
  std::optional<std::string> value;
  if (auto eq = body.find('='); eq != std::string::npos) {
    value = body.substr(eq + 1);
    body = body.substr(0, eq);
  }
  auto it = long_options().find(body);
  if (it == long_options().end()) throw Failure{"unrecognized option '--" + body + "'"};
  const LongOption& opt = it->second;
  int used = 0;
  if (opt.arg == LongOption::none && value) throw Failure{"option '--" + body + "' takes no value"};
  if (opt.arg == LongOption::required && !value) {
    if (i + 1 >= argv.size()) throw Failure{"option '--" + body + "' needs a value"};
    value = argv[i + 1];
    used = 1;
  }
  opt.apply(o, value);
  return used;
}

// NODEMCU_EMU_OPTIONS: long options only (a script or -e there would run in every emulator the
// variable reaches).
void apply_options_env(Options& o, const char* text) {
  std::vector<std::string> words = split_words(text);
  try {
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (words[i].size() < 3 || words[i].rfind("--", 0) != 0)
        throw Failure{"only the emulator's --options, not '" + words[i] + "'"};
      i += static_cast<std::size_t>(parse_long(o, words, i));
    }
  } catch (const Failure& f) {
    throw Failure{"NODEMCU_EMU_OPTIONS: " + f.message};
  }
}

}  // namespace

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

ParseResult parse_args(const std::vector<std::string>& argv, const char* firmware_env,
                       const char* options_env) {
  ParseResult r;
  Options& o = r.options;
  o.argv = argv;
  try {
    // Read first so that --firmware, parsed below, wins. An empty variable counts as unset.
    if (firmware_env && *firmware_env)
      o.firmware = parse_firmware("NODEMCU_EMU_FIRMWARE", firmware_env);
    if (options_env && *options_env) apply_options_env(o, options_env);
    std::size_t i = 1;
    for (; i < argv.size(); ++i) {
      const std::string& a = argv[i];
      if (a == "--") {
        ++i;
        break;
      }
      if (a == "-") break;  // the script is stdin
      if (a.size() < 2 || a[0] != '-') break;
      if (a == "--help" || a == "-h") {
        r.action = ParseResult::help;
        return r;
      }
      if (a == "--version") {
        r.action = ParseResult::version;
        return r;
      }
      if (a.rfind("--", 0) == 0) {
        i += static_cast<std::size_t>(parse_long(o, argv, i));
        continue;
      }
      // lua.c short options; -e and -l take the rest of the word or the next word.
      char c = a[1];
      if (c == 'i' && a.size() == 2) {
        o.interactive = true;
        o.show_version = true;
      } else if (c == 'v' && a.size() == 2) {
        o.show_version = true;
      } else if (c == 'e' || c == 'l') {
        std::string text = a.substr(2);
        if (text.empty()) {
          if (i + 1 >= argv.size() || argv[i + 1] == "--")
            throw Failure{std::string("'-") + c + "' needs argument"};
          text = argv[++i];
        }
        o.prelude.push_back({c == 'e' ? PreludeAction::execute : PreludeAction::require, text});
      } else {
        throw Failure{"unrecognized option '" + a + "'"};
      }
    }
    if (i < argv.size()) {
      o.script_index = static_cast<int>(i);
      if (argv[i] == "-")
        o.script_from_stdin = true;
      else
        o.script = argv[i];
    }
    if ((o.lfs_size > 0 || !o.lfs_dir.empty()) && o.firmware < 3)
      throw Failure{"--lfs and --lfs-size need --firmware=3 (2.2.1's default build has no LFS)"};
    if (o.boot && (o.script || o.script_from_stdin))
      throw Failure{"--boot runs init.lua from --fs; give no script with it"};
    if (o.serial && o.interactive)
      throw Failure{"--serial makes the pty the console; -i would make stdin a second one"};
    if (o.serial && o.script_from_stdin)
      throw Failure{"--serial: the script cannot come from stdin ('-'); name a file"};
  } catch (const Failure& f) {
    r.action = ParseResult::error;
    r.message = f.message;
  }
  return r;
}

std::string usage(const std::string& program) {
  return "usage: " + program + R"( [options] [script [args]]
Runs NodeMCU Lua scripts on a PC: Lua 5.1 with the firmware's net, tmr, node, ... modules
on one event loop. Behaves like `lua` 5.1 where both have the option.

lua-compatible options:
  -e stat            execute string 'stat'
  -l name            require library 'name'
  -i                 enter the interactive console after running 'script' (the device's
                     UART prompt: timers and sockets keep running while it waits; on a
                     terminal, line editing and history in ~/.nodemcu_emu_history)
  -v                 show version information
  --                 stop handling options
  -                  execute stdin and stop handling options
  The global `arg` and LUA_INIT work as in lua.c; an uncaught error exits with status 1.

the device:
  --fs DIR           the device's flash (default: .); require, dofile, loadfile look there
                     and nowhere else
  --boot             run init.lua from --fs, as the device does at power-on (after LUA_INIT,
                     -e and -l); no init.lua is an error unless -i keeps the prompt open
  --host-libs        give scripts the host's io, os, package.loadlib and require searchers,
                     which the device lacks (for test code that drives the host)
  --virtual-time     virtual clock: time jumps to the next timer when nothing else can
                     happen, so long timeouts take milliseconds and runs are repeatable
  --real-time        the host's clock (the default; overrides NODEMCU_EMU_OPTIONS)
  --idle-grace MS    virtual time: real milliseconds to wait for I/O in flight before the
                     clock jumps (default 2)
  --peer-grace MS    virtual time: the clock does not jump for MS real milliseconds after
                     any traffic with a peer outside this process, nor after listen() until
                     the first client (default 1000; 0 = jump at once)
  --run-for SECONDS  stop after this long on the clock (default: while anything can happen)
  --on-error=MODE    where the device would reboot after an error: panic (default; exit
                     status 1), restart (reboot and run the boot again), continue
  --trace[=FILE|json|json:FILE]
                     one line per socket/timer event with clock timestamps (stderr by
                     default; json, or a FILE ending in .json/.jsonl, gives JSON lines)
  --epoch SECONDS|now
                     the RTC's time of day at power-on (rtctime.get, sntp), in seconds
                     since 1970, or now: the host's time; it then moves with the clock
                     (default: unset, 0, as on the chip until rtctime.set or sntp.sync)
  --coverage[=FILE]  write LCOV of the Lua lines run to FILE (default coverage.lcov) when the
                     emulator ends; genhtml (Debian lcov) renders it as HTML
  --heap BYTES       the heap node.heap() starts from; when given, Lua allocation fails
                     past it as on the device (default: 45056 reported, not enforced)
  --lfs-size BYTES   an LFS partition of that size (--firmware=3; default: none)
  --lfs DIR          the folder's *.lua files are the LFS image at power-on
                     (--firmware=3; node.LFS.get, node.flashindex; docs/firmware-3.md)

net:
  --firmware=1|2|3   API profile: 1 = 1.5.4.1 (numbered timers, cjson), 2 = 2.2.1 (default),
                     3 = 3.0; also from the environment NODEMCU_EMU_FIRMWARE (the option wins)
  --timeout-model=idle|keepalive
                     server timeout: idle (default: drop a silent peer after `timeout` s)
                     or keepalive (lwIP literally: only a vanished peer is dropped)
  --strict           warn where the device would misbehave (a second send() before 'sent')
  --frame-size N     largest chunk a 'receive' callback gets (default 1460, TCP_MSS)
  --limits L         lwIP limits, e.g. tcp=5,dns=4,dns-servers=2,igmp=8 (0 = unlimited)
  --bind ADDR        the device's address (default 127.0.0.1)
  --port-map P=H     serve device port P on host port H (repeatable); H 0: a free port,
                     reserved at start (tests naming the app's port run side by side)
  --hosts FILE       hosts-file names resolved without DNS
                     (sntp's servers too; map a name to 127.0.0.1 and its port 123 with
                     --port-map 123=H to reach a local NTP server on port H)

peripherals:
  --wifi MODE        the AP the station finds: ok (default: connected at boot),
                     wrong-password, no-ap (auto-reconnect keeps failing), or
                     drop-after=SECONDS (connected, then the AP vanishes)
  --adc N|vdd33      what adc.read(0) samples (0..1024, default 512), or vdd33: the ADC
                     measures the supply (adc.readvdd33() = 3300)
  --attach SPEC      wire a simulated device (repeatable), BUS[:ADDRESS]=MODEL[,KEY=VALUE]:
                     i2c:0x76=bme280,temperature=21.5, spi:8=bme280 (chip-select on
                     pin 8), ow:3=ds18b20, dht:5=dht22, ws2812=strip:30
                     (docs/peripherals.md); without one the buses are empty, as on a
                     bare board
  --serial[=PATH]    UART0 on a new pseudo-terminal instead of stdin/stdout: the board's
                     console (echo, CR LF, '> ' prompt, boot banner) for nodemcu-tool,
                     ESPlorer, picocom at any baud rate. Its path is printed on stderr and,
                     with PATH, linked there once the device is at its prompt. The emulator
                     runs until stopped (Ctrl-C); node.restart() reboots as under --boot.
                     No DTR/RTS on a pty: use the tools' soft reset (docs/console.md)

environment:
  NODEMCU_EMU_OPTIONS  long options applied before the command line's, in every emulator
                     started with it (busted --lua=nodemcu-emu passes none of its own), e.g.
                     "--host-libs --virtual-time --firmware=3"; the command line wins
  NODEMCU_EMU_FIRMWARE  1, 2 or 3: the default --firmware
  NODEMCU_EMU_NO_IO_URING  set: TCP sockets send with send(2) each, not in one io_uring
                     submit per loop wake-up (what happens anyway where the host has no
                     working io_uring; docs/performance.md)

  --help             this text
  --version          the emulator's version
)";
}

}  // namespace nodemcu_emu::cli
