// uart (uart.c): UART0 is the emulator's stdin/stdout, UART1 (transmit only) its stderr.
// uart.write goes straight to the UART, past node.output; uart.on reads stdin and frames it
// like driver/input.c (uart_input.cpp).
#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>

#include "core/device.hpp"
#include "core/serial_input.hpp"
#include "modules/uart/uart_input.hpp"

namespace nodemcu_emu::modules::uart {

namespace {

using core::Device;

constexpr int k_uart_count = 2;           // NUM_UART
constexpr lua_Integer k_max_input = 256;  // LUA_MAXINPUT

enum Parity : int { k_parity_none = 0, k_parity_even = 1, k_parity_odd = 2 };
enum StopBits : int { k_stopbits_1 = 1, k_stopbits_2 = 2, k_stopbits_1_5 = 3 };

constexpr std::array<lua_Integer, 18> k_bitrates = {
    300,   600,   1200,   2400,   4800,   9600,   19200,  31250,   38400,
    57600, 74880, 115200, 230400, 256000, 460800, 921600, 1843200, 3686400};

struct Config {
  lua_Integer baud = 115200;  // BIT_RATE_DEFAULT
  int databits = 8;
  int parity = k_parity_none;
  int stopbits = k_stopbits_1;
};

struct UartState {
  explicit UartState(Device&) {}
  ~UartState() {
    if (reader) reader->stop();
  }
  std::array<Config, k_uart_count> config{};
  bool echo = true;
  Framing framing;
  InputFramer framer;
  std::shared_ptr<core::SerialInput> reader;
  lua::Ref on_data;  // uart.on("data") callback
};

UartState& uart_state(Device& d) {
  return d.module_state<UartState>();
}

// lua.c's rule for when the emulator runs its own console on stdin (then stdin is not ours).
bool console_owns_stdin(const Options& o) {
  if (o.interactive) return true;
  bool has_e = false;
  for (const auto& a : o.prelude) has_e |= a.kind == PreludeAction::execute;
  return !o.boot && !o.script && !o.script_from_stdin && !has_e && !o.show_version &&
         ::isatty(STDIN_FILENO);
}

void write_raw(std::FILE* f, std::string_view bytes) {
  std::fflush(stdout);
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fflush(f);
}

// The device's side of input.c: frames to the callback, lines to the interpreter.
class DeviceSink final : public InputSink {
 public:
  explicit DeviceSink(Device& d) : d_(d) {}
  void data(std::string_view frame) override {
    d_.dispatch(uart_state(d_).on_data, core::Protection::pcallx, [frame](lua_State* L) {
      lua_pushlstring(L, frame.data(), frame.size());
      return 1;
    });
  }
  void line(const std::string& text) override {
    std::string chunk = text.substr(0, text.size() - 1);  // the REPL takes lines without "\n"
    d_.repl().feed(d_.L(), chunk);
    d_.console().write(d_.repl().prompt());
  }
  void output(std::string_view text) override { write_raw(stdout, text); }
  void prompt() override { d_.console().write(d_.repl().prompt()); }

 private:
  Device& d_;
};

// A terminal echoes what is typed already; the UART's echo is for piped input.
bool echo_wanted(const UartState& s) {
  return s.echo && !::isatty(STDIN_FILENO);
}

void start_reader(Device& d) {
  UartState& s = uart_state(d);
  if (s.reader || console_owns_stdin(d.options())) return;
  Device* dp = &d;
  s.reader = std::make_shared<core::SerialInput>(d.loop(), [dp](std::string_view bytes, bool eof) {
    if (eof) {
      // No more input will come: let the emulator end when nothing else is pending.
      uart_state(*dp).reader.reset();
      return;
    }
    receive(*dp, bytes);
  });
  s.reader->start();
}

void stop_reader(Device& d) {
  UartState& s = uart_state(d);
  if (!s.reader) return;
  s.reader->stop();
  s.reader.reset();
}

// MOD_CHECK_ID(uart, id)
unsigned check_id(lua_State* L) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  if (id >= k_uart_count) luaL_error(L, "uart %d does not exist", static_cast<int>(id));
  return id;
}

// Lua: uart.on("data", [number/end_char], [function], [run_input])
int uart_on(lua_State* L) {
  const char* method = lua_tostring(L, 1);
  luaL_argcheck(L, method && std::string_view(method) == "data", 1, "method not supported");
  int stack = 2;
  Framing f;
  if (lua_type(L, stack) == LUA_TNUMBER) {
    lua_Integer n = luaL_checkinteger(L, stack);
    luaL_argcheck(L, n >= 0 && n < k_max_input, stack, "wrong arg range");
    f.data_len = static_cast<int>(n);
    ++stack;
  } else if (lua_isstring(L, stack)) {
    size_t len = 0;
    const char* end = luaL_checklstring(L, stack, &len);
    f.end_char = end[0];
    ++stack;
    if (len != 1) return luaL_error(L, "wrong arg range");
  }
  Device& d = Device::from(L);
  if (lua_isfunction(L, stack)) {
    f.run_input = !(lua_isnumber(L, stack + 1) && lua_tointeger(L, stack + 1) == 0);
    f.has_callback = true;
    uart_state(d).on_data = lua::Ref(L, stack);
  } else {
    f = Framing{};  // unregistered: input goes to the interpreter again
    uart_state(d).on_data.reset();
  }
  uart_state(d).framing = f;
  if (f.has_callback)
    start_reader(d);
  else
    stop_reader(d);
  return 0;
}

lua_Integer supported_baud(lua_Integer baud) {
  for (lua_Integer b : k_bitrates)
    if (b == baud) return baud;
  return 9600;  // platform_uart_setup's default
}

// Lua: actualbaud = uart.setup(id, baud, databits, parity, stopbits[, echo])
int uart_setup(lua_State* L) {
  unsigned id = check_id(L);
  auto baud = static_cast<std::uint32_t>(luaL_checkinteger(L, 2));
  lua_Integer databits = luaL_checkinteger(L, 3);
  lua_Integer parity = luaL_checkinteger(L, 4);
  lua_Integer stopbits = luaL_checkinteger(L, 5);
  UartState& s = uart_state(Device::from(L));
  if (lua_isnumber(L, 6)) s.echo = lua_tointeger(L, 6) != 0;
  Config& c = s.config[id];
  c.baud = supported_baud(baud);
  c.databits = databits >= 5 && databits <= 8 ? static_cast<int>(databits) : 8;
  c.parity =
      parity == k_parity_even || parity == k_parity_odd ? static_cast<int>(parity) : k_parity_none;
  c.stopbits = stopbits == k_stopbits_2 || stopbits == k_stopbits_1_5 ? static_cast<int>(stopbits)
                                                                      : k_stopbits_1;
  // The firmware answers with the rate asked for, even one it replaced by 9600.
  lua_pushinteger(L, baud);
  return 1;
}

int uart_getconfig(lua_State* L) {
  unsigned id = check_id(L);
  const Config& c = uart_state(Device::from(L)).config[id];
  lua_pushinteger(L, c.baud);
  lua_pushinteger(L, c.databits);
  lua_pushinteger(L, c.parity);
  lua_pushinteger(L, c.stopbits);
  return 4;
}

// uart.alt swaps UART0 to GPIO13/15: the host's stdin/stdout stay where they are.
int uart_alt(lua_State* L) {
  luaL_checkinteger(L, 1);
  return 0;
}

// Lua: uart.write(id, data1 [, data2, ...]): strings, or numbers as single bytes.
// The firmware sends each argument as it checks it: the ones before a bad one are out already.
int uart_write(lua_State* L) {
  unsigned id = check_id(L);
  std::FILE* out = id == 0 ? stdout : stderr;
  int top = lua_gettop(L);
  for (int i = 2; i <= top; ++i) {
    if (lua_type(L, i) == LUA_TNUMBER) {
      auto byte = static_cast<std::size_t>(lua_tointeger(L, i));
      if (byte > 255) return luaL_error(L, "invalid number");
      char c = static_cast<char>(byte);
      write_raw(out, std::string_view(&c, 1));
    } else {
      luaL_checktype(L, i, LUA_TSTRING);
      size_t len = 0;
      const char* s = lua_tolstring(L, i, &len);
      write_raw(out, std::string_view(s, len));
    }
  }
  return 0;
}

// The emulator hands RX bytes over as they arrive and TX never backs up: both FIFOs are empty.
int uart_fifodepth(lua_State* L) {
  lua_Integer id = luaL_optinteger(L, 1, 0);
  if (id != 0 && id != 1) return luaL_argerror(L, 1, "Bad UART id; must be 0 or 1");
  lua_Integer dir = luaL_optinteger(L, 2, 0);
  if (dir != 0 && dir != 1) return luaL_argerror(L, 2, "Bad direction; must be DIR_RX or DIR_TX");
  lua_pushinteger(L, 0);
  return 1;
}

}  // namespace

void receive(Device& device, std::string_view bytes) {
  DeviceSink sink(device);
  for (char ch : bytes) {
    if (device.halted() || device.L() == nullptr) return;
    UartState& s = uart_state(device);
    s.framer.feed(ch, s.framing, echo_wanted(s), sink);
  }
}

}  // namespace nodemcu_emu::modules::uart

namespace nodemcu_emu::modules {

int open_uart(lua_State* L) {
  using namespace uart;
  static const luaL_Reg functions[] = {
      {"setup", uart_setup}, {"getconfig", uart_getconfig}, {"write", uart_write}, {"on", uart_on},
      {"alt", uart_alt},     {"fifodepth", uart_fifodepth}, {nullptr, nullptr}};
  static const struct {
    const char* name;
    int value;
  } constants[] = {{"STOPBITS_1", k_stopbits_1},
                   {"STOPBITS_1_5", k_stopbits_1_5},
                   {"STOPBITS_2", k_stopbits_2},
                   {"PARITY_NONE", k_parity_none},
                   {"PARITY_EVEN", k_parity_even},
                   {"PARITY_ODD", k_parity_odd},
                   {"DIR_RX", 0},
                   {"DIR_TX", 1}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  for (const auto& c : constants) {
    lua_pushinteger(L, c.value);
    lua_setfield(L, -2, c.name);
  }
  return 1;
}

}  // namespace nodemcu_emu::modules
