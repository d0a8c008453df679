// dht (dht.c, dht/dht.c): the firmware's bit-banged DHT read on a pin. The start pulse, the
// wait for the answer and the answer itself take their time on the Clock (the call blocks, as
// on the chip); with no sensor on the pin the pull-up never goes low: ERROR_TIMEOUT.
#include <optional>

#include "core/board/board.hpp"
#include "core/board/pin_targets.hpp"
#include "core/board/push_fault.hpp"
#include "core/device.hpp"
#include "lua/fields.hpp"
#include "modules/dht/dht_decode.hpp"
#include "modules/gpio/gpio_state.hpp"

namespace nodemcu_emu::modules::dht {

namespace {

using core::Device;
using core::Micros;

constexpr const char* k_does_not_exist = "dht %d does not exist";  // MOD_CHECK_ID(dht, id)
constexpr Micros k_timeout_wait(100);  // DHTLIB_TIMEOUT loops of os_delay_us(1)

// dht_readSensor: the start pulse on the pad, then the sensor's answer (or the timeout).
std::optional<Frame> read_sensor(Device& d, int pin, int wakeup_ms) {
  core::Clock& clock = d.loop().clock();
  gpio::platform_mode(d, pin, gpio::k_output, true);
  gpio::platform_write(d, pin, 0);
  clock.busy_wait(Micros(wakeup_ms * 1000));
  gpio::platform_write(d, pin, 1);
  clock.busy_wait(Micros(40));
  gpio::disable_output(d, pin);
  std::optional<Frame> frame;
  // the sensor wired to the pin ("dht:PIN" on the board)
  if (auto sensor = d.board().find<core::board::DhtTarget>("dht", 0, pin))
    frame = sensor->dht_respond(Micros(wakeup_ms * 1000), d.loop().now());
  if (!frame) {
    clock.busy_wait(k_timeout_wait);  // the pull-up holds the line high: no acknowledge
    return std::nullopt;
  }
  clock.busy_wait(core::board::dht_frame_duration(*frame));
  gpio::platform_write(d, pin, 1);  // the driver leaves the pin driven high
  return frame;
}

int read_with(lua_State* L, Method method) {
  auto id = static_cast<unsigned>(luaL_checkinteger(L, 1));
  if (id == 0 || id >= static_cast<unsigned>(gpio::k_pin_count))
    return luaL_error(L, k_does_not_exist, static_cast<int>(id));
  Device& d = Device::from(L);
  int profile = d.options().firmware;
  auto frame = read_sensor(d, static_cast<int>(id), wakeup_ms(method, profile));
  Reading r = frame ? decode(*frame, method, profile) : Reading{};
  if (r.status == k_error_timeout) r.temperature = r.humidity = k_invalid;
  if (d.trace().enabled())
    d.trace().emit(d.loop().now(), "dht", "read",
                   {{"pin", static_cast<int>(id)}, {"status", r.status},
                    {"temp_x10", static_cast<long long>(r.temperature * 10)},
                    {"humi_x10", static_cast<long long>(r.humidity * 10)}});
  lua_pushinteger(L, r.status);
  lua_pushnumber(L, r.temperature);
  lua_pushnumber(L, r.humidity);
  // (int)((x - (int)x) * 1000): the decimals in thousandths, signed like x
  lua_pushnumber(L, static_cast<int>((r.temperature - static_cast<int>(r.temperature)) * 1000));
  lua_pushnumber(L, static_cast<int>((r.humidity - static_cast<int>(r.humidity)) * 1000));
  return 5;
}

int dht_read(lua_State* L) {
  return read_with(L, Method::read);
}
int dht_read11(lua_State* L) {
  return read_with(L, Method::read11);
}
int dht_readxx(lua_State* L) {
  // 3.x maps readxx to dht.read (dht_read(id, DHT_NON11))
  return read_with(L, Device::from(L).options().firmware >= 3 ? Method::read : Method::readxx);
}
int dht_read12(lua_State* L) {
  return read_with(L, Method::read12);
}

}  // namespace

}  // namespace nodemcu_emu::modules::dht

namespace nodemcu_emu::modules {

int open_dht(lua_State* L) {
  using namespace dht;
  using core::board::raising_faults;
  static const luaL_Reg functions[] = {
      {"read", raising_faults<dht_read>},
      {"read11", raising_faults<dht_read11>},
      {"readxx", raising_faults<dht_readxx>},
      {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  if (core::Device::from(L).options().firmware >= 3) {
    lua_pushcfunction(L, raising_faults<dht_read12>);
    lua_setfield(L, -2, "read12");
  }
  lua::set_constants(
      L, {{"OK", k_ok}, {"ERROR_CHECKSUM", k_error_checksum}, {"ERROR_TIMEOUT", k_error_timeout}});
  return 1;
}

}  // namespace nodemcu_emu::modules
