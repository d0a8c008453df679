// i2c (app/modules/i2c.c): the bit-banged i2c master, talking to the models on the board
// (--attach, emu.attach). The default builds of every profile have one bus, id 0 (3.0's
// multi-bus driver is not in its default build: user_config.h keeps I2C_MASTER_OLD_VERSION), at
// 100 kHz whatever speed is asked. Argument checks, their order and texts follow the firmware.
#include <cstdio>

#include "core/board/push_fault.hpp"
#include "core/device.hpp"
#include "lua/fields.hpp"
#include "modules/i2c/i2c_bus.hpp"
#include "modules/i2c/i2c_errors.hpp"

namespace i2c_errors = nodemcu_emu::modules::i2c::errors;

namespace nodemcu_emu::modules {

namespace {

using i2c::I2cBus;

constexpr unsigned k_num_i2c = 1;     // NUM_I2C in the default builds
constexpr unsigned k_num_gpio = 13;   // GPIO_PIN_NUM: D0..D12
constexpr lua_Integer k_speed = 100000;  // PLATFORM_I2C_SPEED_SLOW / I2C_MASTER_SPEED
constexpr std::uint32_t k_max_read = 64 * 1024;  // more than an ESP8266 has free after boot

struct I2cState {
  explicit I2cState(core::Device& d) : device(d), bus(d.board(), 0) {}
  core::Device& device;
  I2cBus bus;
};

I2cState& state(lua_State* L) { return core::Device::from(L).module_state<I2cState>(); }

// MOD_CHECK_ID(i2c, id): raises for any id but 0, else the bus.
I2cBus& check_bus(lua_State* L, unsigned id) {
  if (id >= k_num_i2c) luaL_error(L, i2c_errors::k_i2c_does_not_exist, id);
  return state(L).bus;
}

using core::board::push_fault;

// Up to 32 bytes as hex for one trace line; a plain array, so a Lua error may cross it.
struct TraceBytes {
  char text[3 * 32 + 8] = {};
  int count = 0;
  void add(unsigned byte) {
    int at = count == 0 ? 0 : 3 * count - 1;
    if (count < 32)
      std::snprintf(text + at, sizeof text - static_cast<std::size_t>(at), count ? " %02x" : "%02x", byte);
    else if (count == 32)
      std::snprintf(text + at, sizeof text - static_cast<std::size_t>(at), " ...");
    ++count;
  }
};

void trace(lua_State* L, const char* event, const I2cBus& bus, const TraceBytes* bytes = nullptr,
           long long acked = -1) {
  auto& d = core::Device::from(L);
  if (!d.trace().enabled()) return;
  char peer[8] = "none";
  if (auto p = bus.peer()) std::snprintf(peer, sizeof peer, "0x%02x", *p);
  if (bytes && acked >= 0)
    d.trace().emit(d.loop().now(), "i2c0", event, {{"peer", peer}, {"data", bytes->text}, {"acked", acked}});
  else if (bytes)
    d.trace().emit(d.loop().now(), "i2c0", event, {{"peer", peer}, {"data", bytes->text}});
  else
    d.trace().emit(d.loop().now(), "i2c0", event, {{"peer", peer}});
}

// i2c.setup(id, sda, scl, speed): the speed in effect (always 100 kHz in the default builds).
int i2c_setup(lua_State* L) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  auto sda = static_cast<unsigned>(luaL_checkinteger(L, 2));
  auto scl = static_cast<unsigned>(luaL_checkinteger(L, 3));
  I2cBus& bus = check_bus(L, id);
  if (sda >= k_num_gpio) return luaL_error(L, i2c_errors::k_gpio_does_not_exist, sda);
  if (scl >= k_num_gpio) return luaL_error(L, i2c_errors::k_gpio_does_not_exist, scl);
  // 3.0 lets SCL sit on D0 (the new driver can drive GPIO16 push-pull); earlier, neither pin.
  if (core::Device::from(L).options().firmware >= 3) {
    if (sda == 0) return luaL_error(L, i2c_errors::k_sda_on_d0);
  } else if (scl == 0 || sda == 0) {
    return luaL_error(L, i2c_errors::k_no_i2c_for_d0);
  }
  auto speed = static_cast<std::int32_t>(luaL_checkinteger(L, 4));
  if (speed <= 0) return luaL_error(L, i2c_errors::k_wrong_arg_range);
  bus.setup();
  lua_pushinteger(L, k_speed);
  return 1;
}

int i2c_start(lua_State* L) {
  I2cBus& bus = check_bus(L, static_cast<unsigned>(luaL_checkinteger(L, 1)));
  bus.start();
  trace(L, "start", bus);
  return 0;
}

int i2c_stop(lua_State* L) {
  I2cBus& bus = check_bus(L, static_cast<unsigned>(luaL_checkinteger(L, 1)));
  trace(L, "stop", bus);
  bus.stop();
  if (push_fault(L)) return lua_error(L);
  return 0;
}

// i2c.address(id, address, direction): whether a device acknowledged.
int i2c_address(lua_State* L) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  int address = static_cast<int>(luaL_checkinteger(L, 2));
  int direction = static_cast<int>(luaL_checkinteger(L, 3));
  I2cBus& bus = check_bus(L, id);
  if (address < 0 || address > 127) return luaL_error(L, i2c_errors::k_wrong_arg_range);
  // 1.5.4.1 and 2.2.1 OR the direction into the address byte (a direction of 2 or more
  // changes the address sent); 3.0 sends R/W = (direction != TRANSMITTER).
  unsigned byte = core::Device::from(L).options().firmware >= 3
                      ? (static_cast<unsigned>(address) << 1) + (direction != 0 ? 1 : 0)
                      : (static_cast<unsigned>(address) << 1) | static_cast<unsigned>(direction);
  bool ack = bus.address_byte(static_cast<std::uint8_t>(byte));
  if (push_fault(L)) return lua_error(L);
  if (core::Device::from(L).trace().enabled()) {
    TraceBytes b;
    b.add(byte & 0xff);
    trace(L, ack ? "address ack" : "address nack", bus, &b);
  }
  lua_pushboolean(L, ack);
  return 1;
}

// i2c.write(id, data...): numbers, tables of numbers and strings; returns the bytes acknowledged,
// stopping at the first one that was not.
int i2c_write(lua_State* L) {
  I2cBus& bus = check_bus(L, static_cast<unsigned>(luaL_checkinteger(L, 1)));
  if (lua_gettop(L) < 2) return luaL_error(L, i2c_errors::k_wrong_arg_type);
  TraceBytes sent;
  lua_Integer wrote = 0;
  bool nacked = false;
  auto send = [&](unsigned byte) {
    sent.add(byte);
    if (!bus.write(static_cast<std::uint8_t>(byte))) return false;
    ++wrote;
    return true;
  };
  for (int argn = 2; argn <= lua_gettop(L) && !nacked; ++argn) {
    // A string of digits is bytes, not a number: lua_type, not lua_isnumber.
    if (lua_type(L, argn) == LUA_TNUMBER) {
      int value = static_cast<int>(luaL_checkinteger(L, argn));
      if (value < 0 || value > 255) return luaL_error(L, i2c_errors::k_wrong_arg_range);
      nacked = !send(static_cast<unsigned>(value));
    } else if (lua_istable(L, argn)) {
      std::size_t n = lua_objlen(L, argn);
      for (std::size_t i = 0; i < n && !nacked; ++i) {
        lua_rawgeti(L, argn, static_cast<int>(i + 1));
        int value = static_cast<int>(luaL_checkinteger(L, -1));
        lua_pop(L, 1);
        if (value < 0 || value > 255) return luaL_error(L, i2c_errors::k_wrong_arg_range);
        nacked = !send(static_cast<unsigned>(value));
      }
    } else {
      std::size_t n = 0;
      const char* data = luaL_checklstring(L, argn, &n);
      for (std::size_t i = 0; i < n && !nacked; ++i)
        nacked = !send(static_cast<unsigned char>(data[i]));
    }
  }
  if (push_fault(L)) return lua_error(L);
  trace(L, "write", bus, &sent, wrote);
  lua_pushinteger(L, wrote);
  return 1;
}

// i2c.read(id, n): n bytes, the master ACKing all but the last.
int i2c_read(lua_State* L) {
  I2cBus& bus = check_bus(L, static_cast<unsigned>(luaL_checkinteger(L, 1)));
  auto size = static_cast<std::uint32_t>(luaL_checkinteger(L, 2));
  if (size == 0) return 0;
  // A negative size is a count of 4 billion on the device: it runs out of heap filling the
  // buffer. Refuse what cannot fit in the chip's whole heap instead of filling it byte by byte.
  if (size > k_max_read) return luaL_error(L, "not enough memory");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  TraceBytes got;
  for (std::uint32_t i = 0; i < size; ++i) {
    unsigned byte = bus.read(i < size - 1);
    got.add(byte);
    luaL_addchar(&b, static_cast<char>(byte));
  }
  luaL_pushresult(&b);
  if (push_fault(L)) return lua_error(L);
  trace(L, "read", bus, &got);
  return 1;
}

}  // namespace

int open_i2c(lua_State* L) {
  static const luaL_Reg functions[] = {{"setup", i2c_setup}, {"start", i2c_start},
                                       {"stop", i2c_stop},   {"address", i2c_address},
                                       {"write", i2c_write}, {"read", i2c_read},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  if (core::Device::from(L).options().firmware >= 3)
    lua::set_constants(L, {{"FASTPLUS", 1000000}, {"FAST", 400000}});
  lua::set_constants(L, {{"SLOW", k_speed}, {"TRANSMITTER", 0}, {"RECEIVER", 1}});
  return 1;
}

}  // namespace nodemcu_emu::modules
