// A model written in Lua (emu.attach{bus=..., model=TABLE}): the bus calls the table's methods.
// It lives in the Lua state, so the board drops it when the state closes (reboot). One class
// answers on every bus; which methods are called depends on where it is attached
// (docs/peripherals.md, "Writing a model in Lua").
#pragma once

#include <cstdint>
#include <string>

#include "core/board/board.hpp"
#include "core/board/bus_targets.hpp"
#include "core/board/pin_targets.hpp"
#include "lua/ref.hpp"

namespace nodemcu_emu::modules {

// One argument to a Lua model's method: none, an integer or bytes.
struct ModelArg {
  enum class Type { none, integer, bytes } type = Type::none;
  long long integer = 0;
  std::string_view bytes;
  ModelArg() = default;
  ModelArg(long long v) : type(Type::integer), integer(v) {}     // NOLINT: numbers pass as they are
  ModelArg(std::string_view b) : type(Type::bytes), bytes(b) {}  // NOLINT
};

class LuaModel final : public core::board::Model,
                       public core::board::I2cTarget,
                       public core::board::SpiTarget,
                       public core::board::OneWireTarget,
                       public core::board::DhtTarget,
                       public core::board::Ws2812Target {
 public:
  using Arg = ModelArg;
  // `table` is at `index` on L's stack. An error a method raises is handed to `board` (the bus
  // module raises it once its own work is over).
  LuaModel(const core::Clock& clock, lua_State* L, int index, core::board::Board& board);

  std::string_view kind() const override { return "lua"; }
  void push_table(lua_State* L) const { table_.push(L); }

  bool i2c_start(bool read) override { return call("start", read ? 1 : 0) != 0; }
  bool i2c_write(std::uint8_t byte) override { return call("write", byte) != 0; }
  std::uint8_t i2c_read(bool ack) override {
    return static_cast<std::uint8_t>(call("read", ack ? 1 : 0, 0xff));
  }
  void i2c_repeated_start() override { call("restart", Arg{}, 0); }
  void i2c_stop() override { call("stop", Arg{}, 0); }
  void spi_select(bool selected) override { call("select", selected ? 1 : 0, 0); }
  std::uint8_t spi_transfer(std::uint8_t mosi) override {
    return static_cast<std::uint8_t>(call("transfer", mosi, 0xff));
  }

  // 1-Wire: reset(us) -> presence?, write_bit(bit, us), read_bit(us) -> 0/1 (1: released).
  // `us` is the slot's time as tmr.now() counts (the call runs ahead of the Clock).
  bool ow_reset(core::Micros now) override { return call("reset", uptime(now), 0) != 0; }
  void ow_write_bit(int bit, core::Micros now) override { call("write_bit", bit, 0, uptime(now)); }
  int ow_read_bit(core::Micros now) override {
    return call("read_bit", uptime(now), 1) != 0 ? 1 : 0;
  }
  // DHT: respond(low_us) -> 5 bytes as a string (humidity, temperature, checksum), or nil.
  std::optional<std::array<std::uint8_t, 5>> dht_respond(core::Micros low,
                                                         core::Micros now) override;
  // WS2812: receive(frame), the bytes in wire order as a string.
  void ws2812_receive(const std::uint8_t* data, std::size_t n) override;

  // Calls table:method(a, b) and returns its result as an integer: true 1, false/nil 0, a
  // number its value; `fallback` when the method is missing or raised. When `bytes` is given,
  // a string result is copied there (and the integer is 1; nil gives 0).
  long long call(const char* method, Arg a, long long fallback = 1, Arg b = {},
                 std::string* bytes = nullptr);

 private:
  long long uptime(core::Micros now) const;

  lua_State* L_;
  lua::Ref table_;
  core::board::Board& board_;
};

}  // namespace nodemcu_emu::modules
