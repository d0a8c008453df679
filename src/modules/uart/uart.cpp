// uart (uart.c): UART0 is the device's serial port (stdin/stdout, or the --serial pty), UART1
// (transmit only) the emulator's stderr.
// uart.write goes straight to the UART, past node.output; uart.on takes UART0's input from the
// device's serial port (core/serial_port), which frames it like driver/input.c.
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>

#include "core/device.hpp"
#include "lua/fields.hpp"
#include "modules/uart/uart_errors.hpp"

namespace uart_errors = nodemcu_emu::modules::uart::errors;

namespace nodemcu_emu::modules::uart {

namespace {

using core::Device;
using core::Framing;

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
  explicit UartState(Device& d) : device(d) {}
  // The settings die with the Lua state; the port (and stdin) stay with the device.
  ~UartState() { device.serial().reset_receiver(); }
  Device& device;
  std::array<Config, k_uart_count> config{};
  lua::Ref on_data;  // uart.on("data") callback
};

UartState& uart_state(Device& d) {
  return d.module_state<UartState>();
}

// platform_uart_send: byte for byte, no CR LF translation.
void write_raw(Device& d, unsigned id, std::string_view bytes) {
  if (id == 0) {
    d.serial().transmit(bytes, core::SerialPort::Tx::raw);
    return;
  }
  std::fflush(stdout);
  std::fwrite(bytes.data(), 1, bytes.size(), stderr);
  std::fflush(stderr);
}

// MOD_CHECK_ID(uart, id)
unsigned check_id(lua_State* L) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  if (id >= k_uart_count) luaL_error(L, uart_errors::k_uart_does_not_exist, static_cast<int>(id));
  return id;
}

// Registers (or, without a function at `stack`, drops) the data callback with framing `f`.
int set_data_callback(lua_State* L, int stack, Framing f) {
  Device& d = Device::from(L);
  if (lua_isfunction(L, stack)) {
    f.run_input = !(lua_isnumber(L, stack + 1) && lua_tointeger(L, stack + 1) == 0);
    f.has_callback = true;
    uart_state(d).on_data = lua::Ref(L, stack);
  } else {
    f = Framing{};  // unregistered: input goes to the interpreter again
    uart_state(d).on_data.reset();
  }
  if (!f.has_callback) {
    d.serial().set_receiver(f, nullptr);
    return 0;
  }
  d.serial().set_receiver(f, [&d](std::string_view frame) {
    d.dispatch(uart_state(d).on_data, core::Protection::pcallx, [frame](lua_State* S) {
      lua_pushlstring(S, frame.data(), frame.size());
      return 1;
    });
  });
  return 0;
}

// The end character: a one-character string (lua_isstring: a number counts, as its text).
int check_end_char(lua_State* L, int stack, Framing& f) {
  size_t len = 0;
  const char* end = luaL_checklstring(L, stack, &len);
  if (len != 1) return luaL_error(L, uart_errors::k_wrong_arg_range);
  f.end_char = end[0];
  return 0;
}

// Lua: uart.on("data", [number/end_char], [function], [run_input]), as 3.0 checks it.
int uart_on(lua_State* L) {
  const char* method = lua_tostring(L, 1);
  luaL_argcheck(L, method && std::string_view(method) == "data", 1,
                uart_errors::k_method_not_supported);
  int stack = 2;
  Framing f;
  if (lua_type(L, stack) == LUA_TNUMBER) {
    lua_Integer n = luaL_checkinteger(L, stack);
    luaL_argcheck(L, n >= 0 && n < k_max_input, stack, uart_errors::k_wrong_arg_range);
    f.data_len = static_cast<int>(n);
    ++stack;
  } else if (lua_isstring(L, stack)) {
    check_end_char(L, stack++, f);
  }
  return set_data_callback(L, stack, f);
}

// uart.on as 1.5.4.1 and 2.2.1 check it (uart.c uart_on): the method must be a string
// (luaL_checklstring) and is compared with "data" only after the other arguments; the length
// is a uint16_t (larger numbers wrap), and both range errors are plain ones.
int uart_on_before_3(lua_State* L) {
  size_t method_len = 0;
  const char* method = luaL_checklstring(L, 1, &method_len);
  int stack = 2;
  Framing f;
  if (lua_type(L, stack) == LUA_TNUMBER) {
    auto n = static_cast<std::uint16_t>(luaL_checkinteger(L, stack++));
    if (n > 255) return luaL_error(L, uart_errors::k_wrong_arg_range);
    f.data_len = n;
  } else if (lua_isstring(L, stack)) {
    check_end_char(L, stack++, f);
  }
  if (std::string_view(method, method_len) != "data")
    return luaL_error(L, uart_errors::k_method_not_supported);
  return set_data_callback(L, stack, f);
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
  Device& d = Device::from(L);
  UartState& s = uart_state(d);
  if (lua_isnumber(L, 6)) d.serial().set_echo(lua_tointeger(L, 6) != 0);
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
  Device& d = Device::from(L);
  int top = lua_gettop(L);
  for (int i = 2; i <= top; ++i) {
    if (lua_type(L, i) == LUA_TNUMBER) {
      auto byte = static_cast<std::size_t>(lua_tointeger(L, i));
      if (byte > 255) return luaL_error(L, uart_errors::k_invalid_number);
      char c = static_cast<char>(byte);
      write_raw(d, id, std::string_view(&c, 1));
    } else {
      luaL_checktype(L, i, LUA_TSTRING);
      size_t len = 0;
      const char* s = lua_tolstring(L, i, &len);
      write_raw(d, id, std::string_view(s, len));
    }
  }
  return 0;
}

// The emulator hands RX bytes over as they arrive and TX never backs up: both FIFOs are empty.
int uart_fifodepth(lua_State* L) {
  lua_Integer id = luaL_optinteger(L, 1, 0);
  if (id != 0 && id != 1) return luaL_argerror(L, 1, uart_errors::k_bad_uart_id_must_be_0);
  lua_Integer dir = luaL_optinteger(L, 2, 0);
  if (dir != 0 && dir != 1) return luaL_argerror(L, 2, uart_errors::k_bad_direction_must_be_dir_rx);
  lua_pushinteger(L, 0);
  return 1;
}

}  // namespace

}  // namespace nodemcu_emu::modules::uart

namespace nodemcu_emu::modules {

int open_uart(lua_State* L) {
  using namespace uart;
  static const luaL_Reg functions[] = {
      {"setup", uart_setup}, {"getconfig", uart_getconfig}, {"write", uart_write}, {"on", uart_on},
      {"alt", uart_alt},     {"fifodepth", uart_fifodepth}, {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  lua::set_constants(L, {{"STOPBITS_1", k_stopbits_1},
                         {"STOPBITS_1_5", k_stopbits_1_5},
                         {"STOPBITS_2", k_stopbits_2},
                         {"PARITY_NONE", k_parity_none},
                         {"PARITY_EVEN", k_parity_even},
                         {"PARITY_ODD", k_parity_odd},
                         {"DIR_RX", 0},
                         {"DIR_TX", 1}});
  // fifodepth and DIR_RX/DIR_TX came with 3.0 (not in 2.2.1's uart_map); 1.5.4.1's has
  // setup, write, on, alt and the stop-bit/parity constants only.
  int firmware = core::Device::from(L).options().firmware;
  if (firmware <= 2) lua::remove_fields(L, {"fifodepth", "DIR_RX", "DIR_TX"});
  if (firmware == 1) lua::remove_fields(L, {"getconfig"});
  if (firmware <= 2) {
    lua_pushcfunction(L, uart_on_before_3);
    lua_setfield(L, -2, "on");
  }
  return 1;
}

}  // namespace nodemcu_emu::modules
