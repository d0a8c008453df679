// ow (ow.c, driver/onewire.c): the firmware's 1-Wire master on a pin's simulated bus. An empty
// bus answers as an empty board does: no presence pulse, search finds nothing, reads are the
// pull-up's 1s. Every slot takes the driver's time: the call busy-waits the Clock by it.
#include <cstdio>
#include <deque>
#include <string>

#include "core/board/board.hpp"
#include "core/board/onewire_crc.hpp"
#include "core/board/push_fault.hpp"
#include "core/device.hpp"
#include "modules/gpio/gpio_state.hpp"
#include "modules/ow/onewire_master.hpp"
#include "modules/ow/ow_errors.hpp"

namespace ow_errors = nodemcu_emu::modules::ow::errors;

namespace nodemcu_emu::modules::ow {

namespace {

using core::Device;

// Per device: the firmware master's search state for each pin and its timings.
struct OwState {
  explicit OwState(Device&) {}
  std::array<SearchState, gpio::k_pin_count> search;
  Timings timings;  // ow.set_timings (3.0) sets them for every pin, as the driver's one global
  // The models on the pin of each call in progress, innermost last: a model written in Lua may
  // call ow from inside a slot, and the outer call's Master keeps a reference to its own bus
  // (a deque: pushing and popping at the back leaves the other elements where they are). Kept
  // here, not in the Master, so that nothing with a destructor lives in the Lua C function.
  std::deque<OneWireBus> buses;
};

OwState& ow_state(Device& device) {
  return device.module_state<OwState>();
}

// The firmware's LUAL_BUFFERSIZE, the most ow.read_bytes reads (the host Lua's is larger).
constexpr std::uint32_t k_lual_buffersize = 256;

// NUM_OW is GPIO_PIN_NUM; pin 0 (GPIO16) has no open-drain mode.
bool ow_exists(unsigned id) {
  return id > 0 && id < static_cast<unsigned>(gpio::k_pin_count);
}

// luaL_checkinteger + MOD_CHECK_ID(ow, id)
unsigned check_id(lua_State* L) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  if (!ow_exists(id)) luaL_error(L, ow_errors::k_does_not_exist, static_cast<int>(id));
  return id;
}

// The models wired to the pin ("ow:PIN" on the board), for one call.
Master master(Device& d, unsigned pin) {
  OwState& s = ow_state(d);
  s.buses.emplace_back(d.board().at<core::board::OneWireTarget>("ow", 0, static_cast<long long>(pin)));
  int idle = gpio::has_pullup(d, static_cast<int>(pin)) ? 1 : 0;
  return Master(s.buses.back(), idle, s.timings, d.loop().now());
}

// The slots' time passes on the Clock; the pad is left as the driver leaves it: driven high
// after a write with `power` (parasite power), else released to the pull-up.
void finish(Device& d, unsigned pin, const Master& m, bool powered) {
  ow_state(d).buses.pop_back();  // a model detached meanwhile goes now
  d.loop().clock().busy_wait(m.elapsed());
  if (powered)
    gpio::platform_write(d, static_cast<int>(pin), 1);
  else
    gpio::disable_output(d, static_cast<int>(pin));
}

void trace(Device& d, unsigned pin, const char* event, long long value, const char* key) {
  if (!d.trace().enabled()) return;
  d.trace().emit(d.loop().now(), "ow", event, {{"pin", static_cast<int>(pin)}, {key, value}});
}

void trace_bytes(Device& d, unsigned pin, const char* event, const std::uint8_t* p, std::size_t n) {
  if (!d.trace().enabled()) return;
  std::string hex;
  char byte[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", p[i]);
    hex += byte;
  }
  d.trace().emit(d.loop().now(), "ow", event, {{"pin", static_cast<int>(pin)}, {"data", hex}});
}

int power_arg(lua_State* L, int index) {
  return lua_isnumber(L, index) && lua_tointeger(L, index) != 0 ? 1 : 0;
}

int ow_setup(lua_State* L) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  if (id == 0) return luaL_error(L, ow_errors::k_no_ow_for_d0);
  if (!ow_exists(id)) return luaL_error(L, ow_errors::k_does_not_exist, static_cast<int>(id));
  Device& d = Device::from(L);
  gpio::platform_mode(d, static_cast<int>(id), gpio::k_input, true);  // onewire_init
  reset_search(ow_state(d).search[id]);
  return 0;
}

int ow_reset(lua_State* L) {
  unsigned id = check_id(L);
  Device& d = Device::from(L);
  Master m = master(d, id);
  int presence = m.reset();
  finish(d, id, m, false);
  trace(d, id, "reset", presence, "presence");
  lua_pushinteger(L, presence);
  return 1;
}

int ow_skip(lua_State* L) {
  unsigned id = check_id(L);
  Device& d = Device::from(L);
  Master m = master(d, id);
  m.skip();
  finish(d, id, m, true);
  trace(d, id, "skip", 0xCC, "byte");
  return 0;
}

// The 8 ROM bytes of arg 2: a table of numbers or a string.
bool rom_arg(lua_State* L, Rom& rom) {
  if (lua_istable(L, 2)) {
    if (lua_objlen(L, 2) != 8) return false;
    for (int i = 0; i < 8; ++i) {
      lua_rawgeti(L, 2, i + 1);
      auto v = static_cast<int>(luaL_checkinteger(L, -1));
      lua_pop(L, 1);
      if (v > 255) return false;
      rom[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
    }
    return true;
  }
  std::size_t len = 0;
  const char* p = luaL_checklstring(L, 2, &len);
  if (len != 8) return false;
  for (std::size_t i = 0; i < 8; ++i) rom[i] = static_cast<std::uint8_t>(p[i]);
  return true;
}

int ow_select(lua_State* L) {
  unsigned id = check_id(L);
  Rom rom{};
  if (!rom_arg(L, rom)) return luaL_error(L, ow_errors::k_wrong_arg_range);
  Device& d = Device::from(L);
  Master m = master(d, id);
  m.select(rom);
  finish(d, id, m, true);
  trace_bytes(d, id, "select", rom.data(), rom.size());
  return 0;
}

int ow_write(lua_State* L) {
  unsigned id = check_id(L);
  auto v = static_cast<int>(luaL_checkinteger(L, 2));
  if (v > 255) return luaL_error(L, ow_errors::k_wrong_arg_range);
  int power = power_arg(L, 3);
  Device& d = Device::from(L);
  Master m = master(d, id);
  m.write(static_cast<std::uint8_t>(v));
  finish(d, id, m, power != 0);
  trace(d, id, "write", static_cast<std::uint8_t>(v), "byte");
  return 0;
}

int ow_write_bytes(lua_State* L) {
  unsigned id = check_id(L);
  std::size_t len = 0;
  const char* p = luaL_checklstring(L, 2, &len);
  int power = power_arg(L, 3);
  len = static_cast<std::uint16_t>(len);  // the driver's count is 16 bits
  Device& d = Device::from(L);
  Master m = master(d, id);
  for (std::size_t i = 0; i < len; ++i) m.write(static_cast<std::uint8_t>(p[i]));
  // every byte but the last is followed by owDefaultPower (1)
  finish(d, id, m, len == 0 ? false : power != 0);
  trace_bytes(d, id, "write", reinterpret_cast<const std::uint8_t*>(p), len);
  return 0;
}

int ow_read(lua_State* L) {
  unsigned id = check_id(L);
  Device& d = Device::from(L);
  Master m = master(d, id);
  std::uint8_t v = m.read();
  finish(d, id, m, false);
  trace(d, id, "read", v, "byte");
  lua_pushinteger(L, v);
  return 1;
}

int ow_read_bytes(lua_State* L) {
  unsigned id = check_id(L);
  auto size = static_cast<std::uint32_t>(luaL_checkinteger(L, 2));
  if (size == 0) return 0;
  luaL_argcheck(L, size <= k_lual_buffersize, 2, ow_errors::k_too_many_chars);
  Device& d = Device::from(L);
  std::uint8_t buf[k_lual_buffersize];
  Master m = master(d, id);
  for (std::uint32_t i = 0; i < size; ++i) buf[i] = m.read();
  finish(d, id, m, false);
  trace_bytes(d, id, "read", buf, size);
  lua_pushlstring(L, reinterpret_cast<const char*>(buf), size);
  return 1;
}

int ow_depower(lua_State* L) {
  unsigned id = check_id(L);
  gpio::disable_output(Device::from(L), static_cast<int>(id));
  return 0;
}

int ow_reset_search(lua_State* L) {
  unsigned id = check_id(L);
  reset_search(ow_state(Device::from(L)).search[id]);
  return 0;
}

int ow_target_search(lua_State* L) {
  unsigned id = check_id(L);
  auto code = static_cast<int>(luaL_checkinteger(L, 2));
  if (code > 255) return luaL_error(L, ow_errors::k_wrong_arg_range);
  target_search(ow_state(Device::from(L)).search[id], static_cast<std::uint8_t>(code));
  return 0;
}

// ow.search(id) (3.0: ow.search(id[, alarm_search])): the next ROM as an 8-byte string, or nil.
int ow_search(lua_State* L) {
  unsigned id = check_id(L);
  bool alarm = Device::from(L).options().firmware >= 3 && power_arg(L, 2) != 0;
  Device& d = Device::from(L);
  Rom rom{};
  Master m = master(d, id);
  bool found = m.search(ow_state(d).search[id], rom, alarm);
  finish(d, id, m, false);
  if (!found) {
    trace(d, id, "search", 0, "found");
    lua_pushnil(L);
    return 1;
  }
  trace_bytes(d, id, "search", rom.data(), rom.size());
  lua_pushlstring(L, reinterpret_cast<const char*>(rom.data()), rom.size());
  return 1;
}

int ow_crc8(lua_State* L) {
  std::size_t len = 0;
  const char* p = luaL_checklstring(L, 1, &len);
  if (len > 255) return luaL_error(L, ow_errors::k_wrong_arg_range);
  lua_pushinteger(L, core::board::onewire_crc8(reinterpret_cast<const std::uint8_t*>(p), len));
  return 1;
}

int ow_check_crc16(lua_State* L) {
  std::size_t len = 0;
  const char* p = luaL_checklstring(L, 1, &len);
  if (len > 65535) return luaL_error(L, ow_errors::k_wrong_arg_range);
  // The driver checks the data's length again after each inverted CRC byte: a buffer over
  // 255 bytes is refused there.
  auto inv0 = static_cast<std::uint8_t>(luaL_checkinteger(L, 2));
  if (len > 255) return luaL_error(L, ow_errors::k_wrong_arg_range);
  auto inv1 = static_cast<std::uint8_t>(luaL_checkinteger(L, 3));
  if (len > 255) return luaL_error(L, ow_errors::k_wrong_arg_range);
  int crc = lua_isnumber(L, 4) ? static_cast<int>(lua_tointeger(L, 4)) : 0;
  if (crc > 65535) return luaL_error(L, ow_errors::k_wrong_arg_range);
  auto c = static_cast<std::uint16_t>(
      ~core::board::onewire_crc16(reinterpret_cast<const std::uint8_t*>(p), len, static_cast<std::uint16_t>(crc)));
  lua_pushboolean(L, (c & 0xff) == inv0 && (c >> 8) == inv1);
  return 1;
}

int ow_crc16(lua_State* L) {
  std::size_t len = 0;
  const char* p = luaL_checklstring(L, 1, &len);
  if (len > 65535) return luaL_error(L, ow_errors::k_wrong_arg_range);
  int crc = lua_isnumber(L, 2) ? static_cast<int>(lua_tointeger(L, 2)) : 0;
  if (crc > 65535) return luaL_error(L, ow_errors::k_wrong_arg_range);
  lua_pushinteger(L, core::board::onewire_crc16(reinterpret_cast<const std::uint8_t*>(p), len,
                           static_cast<std::uint16_t>(crc)));
  return 1;
}

// 3.0: ow.set_timings(reset_tx, reset_wait, reset_rx, w1_low, w1_high, w0_low, w0_high, r_low,
// r_wait, r_delay); a non-number keeps that timing.
int ow_set_timings(lua_State* L) {
  Timings& t = ow_state(Device::from(L)).timings;
  auto set16 = [L](int i, std::uint16_t& v) {
    if (lua_isnumber(L, i)) v = static_cast<std::uint16_t>(lua_tointeger(L, i));
  };
  auto set8 = [L](int i, std::uint8_t& v) {
    if (lua_isnumber(L, i)) v = static_cast<std::uint8_t>(lua_tointeger(L, i));
  };
  set16(1, t.reset_tx);
  set16(2, t.reset_wait);
  set16(3, t.reset_rx);
  set8(4, t.w_1_low);
  set8(5, t.w_1_high);
  set8(6, t.w_0_low);
  set8(7, t.w_0_high);
  set8(8, t.r_low);
  set8(9, t.r_wait);
  set8(10, t.r_delay);
  return 0;
}

}  // namespace

}  // namespace nodemcu_emu::modules::ow

namespace nodemcu_emu::modules {

int open_ow(lua_State* L) {
  using namespace ow;
  using core::board::raising_faults;
  static const luaL_Reg functions[] = {
      // the calls that reach the pin's devices raise what a model written in Lua raised
      {"setup", ow_setup},
      {"reset", raising_faults<ow_reset>},
      {"skip", raising_faults<ow_skip>},
      {"select", raising_faults<ow_select>},
      {"write", raising_faults<ow_write>},
      {"write_bytes", raising_faults<ow_write_bytes>},
      {"read", raising_faults<ow_read>},
      {"read_bytes", raising_faults<ow_read_bytes>},
      {"depower", ow_depower},
      {"reset_search", ow_reset_search},
      {"target_search", ow_target_search},
      {"search", raising_faults<ow_search>},
      {"crc8", ow_crc8},
      {"check_crc16", ow_check_crc16},
      {"crc16", ow_crc16},
      {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  if (core::Device::from(L).options().firmware >= 3) {
    lua_pushcfunction(L, ow_set_timings);
    lua_setfield(L, -2, "set_timings");
  }
  return 1;
}

}  // namespace nodemcu_emu::modules
