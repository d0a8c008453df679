// A model written in Lua (emu.attach{bus=..., model=TABLE}): the bus calls the table's methods.
// It lives in the Lua state, so the board drops it when the state closes (reboot).
#pragma once

#include <cstdint>
#include <string>

#include "core/board/board.hpp"
#include "core/board/bus_targets.hpp"
#include "lua/ref.hpp"

namespace nodemcu_emu::modules {

class LuaModel final : public core::board::Model,
                       public core::board::I2cTarget,
                       public core::board::SpiTarget {
 public:
  // `table` is at `index` on L's stack. An error a method raises is handed to `board` (the bus
  // module raises it once its own work is over).
  LuaModel(const core::Clock& clock, lua_State* L, int index, core::board::Board& board);

  std::string_view kind() const override { return "lua"; }
  void push_table(lua_State* L) const { table_.push(L); }

  bool i2c_start(bool read) override { return call("start", read ? 1 : 0, true) != 0; }
  bool i2c_write(std::uint8_t byte) override { return call("write", byte, true) != 0; }
  std::uint8_t i2c_read(bool ack) override {
    return static_cast<std::uint8_t>(call("read", ack ? 1 : 0, 0xff));
  }
  void i2c_repeated_start() override { call("restart", -1, 0); }
  void i2c_stop() override { call("stop", -1, 0); }
  void spi_select(bool selected) override { call("select", selected ? 1 : 0, 0); }
  std::uint8_t spi_transfer(std::uint8_t mosi) override {
    return static_cast<std::uint8_t>(call("transfer", mosi, 0xff));
  }

  // Calls table:method(arg) (no argument when arg < 0) and returns its result as an integer:
  // true 1, false/nil 0, a number its value; `fallback` when the method is missing or raised.
  // A bus interface the pins modules add for Lua models calls this too.
  long long call(const char* method, long long arg, long long fallback);

 private:
  lua_State* L_;
  lua::Ref table_;
  core::board::Board& board_;
};

}  // namespace nodemcu_emu::modules
