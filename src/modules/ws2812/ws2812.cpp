// ws2812 (ws2812.c): GRB(W) bytes streamed through UART1 on GPIO2 (and UART0 in dual mode) at
// 3.2 Mbaud, 10 µs per byte, the call blocking meanwhile. The bytes reach an attached strip
// (LedStrip) once ws2812.init has routed the UART to the pin; with nothing attached they go
// nowhere and write succeeds, as on a bare board. --trace shows every frame.
#include <cstdio>
#include <string>

#include "core/board/board.hpp"
#include "core/board/pin_targets.hpp"
#include "core/board/push_fault.hpp"
#include "core/device.hpp"
#include "lua/fields.hpp"
#include "modules/gpio/gpio_state.hpp"
#include "modules/ws2812/buffer.hpp"

namespace nodemcu_emu::modules::ws2812 {

namespace {

using core::Device;
using core::Micros;

// Per device: how ws2812.init routed the UARTs. Output 0 is UART1 on GPIO2 (pin 4), where
// strips at "ws2812" listen; output 1 is UART0's TXD0 in dual mode ("ws2812.1").
struct Ws2812State {
  explicit Ws2812State(Device&) {}
  bool initialized = false;
  bool dual = false;
};

Ws2812State& ws2812_state(Device& device) {
  return device.module_state<Ws2812State>();
}

constexpr int k_mode_single = 0, k_mode_dual = 1;
constexpr int k_gpio2 = 4;               // GPIO2 is NodeMCU pin 4
constexpr Micros k_per_byte(10);         // 4 UART characters of 8 bits at 3.2 Mbaud
constexpr std::size_t k_trace_max = 96;  // bytes of a frame shown in the trace

int ws2812_init(lua_State* L) {
  auto mode = static_cast<int>(luaL_optinteger(L, 1, k_mode_single));
  luaL_argcheck(L, mode == k_mode_single || mode == k_mode_dual, 1,
                "ws2812.SINGLE or ws2812.DUAL expected");
  Device& d = Device::from(L);
  // GPIO2 pulled low for 10 µs (the strip's reset), then handed to UART1, whose inverted idle
  // keeps it low.
  gpio::platform_mode(d, k_gpio2, gpio::k_output, false);
  gpio::platform_write(d, k_gpio2, 0);
  d.loop().clock().busy_wait(Micros(10));
  Ws2812State& s = ws2812_state(d);
  s.initialized = true;
  s.dual = s.dual || mode == k_mode_dual;
  return 0;
}

struct Data {
  const std::uint8_t* bytes = nullptr;
  std::size_t length = 0;
};

// arg `index`: nil, a string or a buffer of the profile's class; false when none of these.
bool data_arg(lua_State* L, int index, Data& out, bool optional) {
  int type = lua_type(L, index);
  if (type == LUA_TNIL || (optional && type == LUA_TNONE)) return true;
  if (type == LUA_TSTRING) {
    out.bytes = reinterpret_cast<const std::uint8_t*>(lua_tolstring(L, index, &out.length));
    return true;
  }
  if (type != LUA_TUSERDATA) return false;
  bool v3 = Device::from(L).options().firmware >= 3;
  auto* b =
      static_cast<BufferHeader*>(luaL_checkudata(L, index, v3 ? k_pixbuf_class : k_buffer_class));
  if (v3) luaL_argcheck(L, b->nchan == 3 || b->nchan == 4, index, "Bad pixbuf format");
  out.bytes = b->values();
  out.length = b->npix * b->nchan;
  return true;
}

void trace_frame(Device& d, int output, const Data& data) {
  std::string hex;
  char byte[3];
  for (std::size_t i = 0; i < data.length && i < k_trace_max; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", data.bytes[i]);
    hex += byte;
  }
  if (data.length > k_trace_max) hex += "...";
  d.trace().emit(d.loop().now(), "ws2812", "write",
                 {{"output", output}, {"bytes", data.length}, {"grb", hex}});
}

void send(Device& d, int output, const Data& data) {
  Ws2812State& s = ws2812_state(d);
  bool routed = s.initialized && (output == 0 || s.dual);
  if (data.length == 0) return;
  if (d.trace().enabled()) trace_frame(d, output, data);
  if (!routed) return;
  for (const auto& strip : d.board().at<core::board::Ws2812Target>("ws2812", output, std::nullopt))
    strip->ws2812_receive(data.bytes, data.length);
}

int ws2812_write(lua_State* L) {
  bool v3 = Device::from(L).options().firmware >= 3;
  const char* expected = v3 ? "pixbuf or string expected" : "ws2812.buffer or string expected";
  Data first, second;
  if (!data_arg(L, 1, first, false)) return luaL_argerror(L, 1, expected);
  if (!data_arg(L, 2, second, true)) return luaL_argerror(L, 2, expected);
  Device& d = Device::from(L);
  send(d, 0, first);
  send(d, 1, second);
  // Both UARTs stream in parallel: the call lasts as long as the longer frame.
  d.loop().clock().busy_wait(k_per_byte *
                             static_cast<long long>(std::max(first.length, second.length)));
  return 0;
}

}  // namespace

}  // namespace nodemcu_emu::modules::ws2812

namespace nodemcu_emu::modules {

int open_ws2812(lua_State* L) {
  using namespace ws2812;
  bool v3 = core::Device::from(L).options().firmware >= 3;
  if (v3)
    register_pixbuf(L);
  else
    register_buffer_v2(L);
  static const luaL_Reg functions[] = {{"init", ws2812_init},
                                       {"write", core::board::raising_faults<ws2812_write>},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  lua_pushcfunction(L, v3 ? new_pixbuf : new_buffer_v2);
  lua_setfield(L, -2, "newBuffer");
  // FADE_IN/FADE_OUT swapped values in 3.x (pixbuf's enum).
  lua::set_constants(L, {{"FADE_IN", v3 ? 0 : 1},
                         {"FADE_OUT", v3 ? 1 : 0},
                         {"MODE_SINGLE", k_mode_single},
                         {"MODE_DUAL", k_mode_dual},
                         {"SHIFT_LOGICAL", 0},
                         {"SHIFT_CIRCULAR", 1}});
  return 1;
}

}  // namespace nodemcu_emu::modules
