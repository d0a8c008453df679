// spi (app/modules/spi.c): the HSPI master (id 1) talking to the models on the board, and
// the flash's bus (id 0), where nothing can be attached. Checks, their order and texts follow
// each profile: 1.5.4.1 words the buffer and transaction checks itself, 2.2.1 and 3.0 use
// luaL_argcheck and add the string forms of set_mosi/get_miso and set_clock_div.
#include "core/board/push_fault.hpp"
#include "core/device.hpp"
#include "lua/fields.hpp"
#include "modules/spi/spi_bus.hpp"
#include "modules/spi/spi_errors.hpp"

namespace spi_errors = nodemcu_emu::modules::spi::errors;

namespace nodemcu_emu::modules {

namespace {

using core::board::push_fault;
using spi::SpiBus;

constexpr int k_num_spi = 2;
constexpr int k_halfduplex = 0, k_fullduplex = 1;
constexpr int k_master = 1, k_slave = 0;  // PLATFORM_SPI_MASTER / _SLAVE

struct Channel {
  SpiBus bus;
  int databits = 0;  // spi_databits[]: 0 until setup, as in the firmware
  int duplex = k_halfduplex;
  lua_Integer clock_div = 8;
};

struct SpiState {
  explicit SpiState(core::Device& d)
      : channels{Channel{SpiBus(d.board(), false)}, Channel{SpiBus(d.board(), true)}} {}
  Channel channels[k_num_spi];
};

bool firmware1(lua_State* L) { return core::Device::from(L).options().firmware == 1; }

// MOD_CHECK_ID(spi, id)
Channel& check_channel(lua_State* L, lua_Integer id) {
  if (id < 0 || id >= k_num_spi) luaL_error(L, spi_errors::k_spi_does_not_exist, static_cast<unsigned>(id));
  return core::Device::from(L).module_state<SpiState>().channels[id];
}

void trace(lua_State* L, const char* event, const SpiBus& bus) {
  auto& d = core::Device::from(L);
  if (d.trace().enabled())
    d.trace().emit(d.loop().now(), "spi1", event, {{"transactions", static_cast<long long>(bus.transactions())}});
}

// spi.setup(id, mode, cpol, cpha, databits, clock_div[, duplex]): 1.
int spi_setup(lua_State* L) {
  lua_Integer id = luaL_checkinteger(L, 1);
  lua_Integer mode = luaL_checkinteger(L, 2), cpol = luaL_checkinteger(L, 3),
              cpha = luaL_checkinteger(L, 4), databits = luaL_checkinteger(L, 5);
  auto clock_div = static_cast<std::uint32_t>(luaL_checkinteger(L, 6));
  lua_Integer duplex = luaL_optinteger(L, 7, k_halfduplex);
  Channel& c = check_channel(L, id);
  if (mode != k_slave && mode != k_master) return luaL_error(L, spi_errors::k_wrong_arg_type);
  if (cpol != 0 && cpol != 1) return luaL_error(L, spi_errors::k_wrong_arg_type);
  if (cpha != 0 && cpha != 1) return luaL_error(L, spi_errors::k_wrong_arg_type);
  if (databits < 0 || databits > 32) return luaL_error(L, spi_errors::k_out_of_range);
  if (duplex != k_halfduplex && duplex != k_fullduplex) return luaL_error(L, spi_errors::k_out_of_range);
  c.duplex = static_cast<int>(duplex);
  c.databits = static_cast<int>(databits);
  c.clock_div = clock_div == 0 ? 8 : clock_div;  // 0: the old default, for compatibility
  lua_pushinteger(L, 1);
  return 1;
}

// One datum out (and back in full duplex), as platform_spi_send(_recv) does.
std::uint32_t transfer(Channel& c, std::uint32_t value) {
  return static_cast<std::uint32_t>(c.bus.send_recv(c.databits, value));
}

// spi.send(id, data...): numbers, tables, strings; returns the count sent and, in full duplex,
// what came back for each argument (number, table, string).
int spi_send(lua_State* L) {
  lua_Integer id = luaL_checkinteger(L, 1);
  int tos = lua_gettop(L);
  Channel& c = check_channel(L, id);
  bool recv = c.duplex == k_fullduplex;
  if (tos < 2) return luaL_error(L, spi_errors::k_wrong_arg_type);
  // A result per argument in full duplex, above the guaranteed LUA_MINSTACK slots that the
  // temporaries below use: without room, a long argument list would push past the stack.
  if (recv) luaL_checkstack(L, tos + LUA_MINSTACK, "too many results");
  lua_pushinteger(L, 0);  // 'wrote', filled in at the end
  int pushed = 1;
  lua_Integer wrote = 0;
  for (int argn = 2; argn <= tos; ++argn) {
    if (lua_type(L, argn) == LUA_TNUMBER) {
      auto v = transfer(c, static_cast<std::uint32_t>(luaL_checkinteger(L, argn)));
      if (recv) {
        lua_pushinteger(L, static_cast<lua_Integer>(v));
        ++pushed;
      }
      ++wrote;
    } else if (lua_istable(L, argn)) {
      int n = static_cast<int>(lua_objlen(L, argn));
      if (recv && n > 0) {
        lua_createtable(L, n, 0);
        ++pushed;
      }
      for (int i = 1; i <= n; ++i) {
        lua_rawgeti(L, argn, i);
        auto out = static_cast<std::uint32_t>(luaL_checkinteger(L, -1));
        lua_pop(L, 1);
        auto v = transfer(c, out);
        if (recv) {
          lua_pushinteger(L, static_cast<lua_Integer>(v));
          lua_rawseti(L, -2, i);
        }
      }
      wrote += n;
    } else {
      std::size_t n = 0;
      const char* data = luaL_checklstring(L, argn, &n);
      luaL_Buffer b;
      if (recv) luaL_buffinit(L, &b);
      for (std::size_t i = 0; i < n; ++i) {
        // The firmware passes a plain char: bytes over 0x7f sign-extend, as on the chip.
        auto v = transfer(c, static_cast<std::uint32_t>(static_cast<int>(data[i])));
        if (recv) luaL_addchar(&b, static_cast<char>(v));
      }
      if (recv && n > 0) {
        luaL_pushresult(&b);
        ++pushed;
      } else if (recv) {
        luaL_pushresult(&b);
        lua_pop(L, 1);
      }
      wrote += static_cast<lua_Integer>(n);
    }
  }
  if (push_fault(L)) return lua_error(L);
  trace(L, "send", c.bus);
  lua_pushinteger(L, wrote);
  lua_replace(L, tos + 1);
  return pushed;
}

// spi.recv(id, size[, default]): size data clocked in while `default` goes out.
int spi_recv(lua_State* L) {
  lua_Integer id = luaL_checkinteger(L, 1);
  lua_Integer size = luaL_checkinteger(L, 2);
  auto def = static_cast<std::uint32_t>(luaL_optinteger(L, 3, static_cast<lua_Integer>(0xffffffff)));
  Channel& c = check_channel(L, id);
  if (size == 0) return 0;
  if (size > 64 * 1024) return luaL_error(L, "not enough memory");  // beyond the chip's heap
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (lua_Integer i = 0; i < size; ++i) luaL_addchar(&b, static_cast<char>(transfer(c, def)));
  luaL_pushresult(&b);
  if (push_fault(L)) return lua_error(L);
  trace(L, "recv", c.bus);
  return 1;
}

int set_mosi_v1(lua_State* L) {
  lua_Integer id = luaL_checkinteger(L, 1);
  int offset = static_cast<int>(luaL_checkinteger(L, 2));
  int bitlen = static_cast<int>(luaL_checkinteger(L, 3));
  Channel& c = check_channel(L, id);
  if (offset < 0 || offset > 511) return luaL_error(L, spi_errors::k_offset_out_of_range);
  if (bitlen < 1 || bitlen > 32) return luaL_error(L, spi_errors::k_bitlen_out_of_range);
  if (lua_gettop(L) < 4) return luaL_error(L, spi_errors::k_too_few_args);
  for (int argn = 4; argn <= lua_gettop(L); ++argn, offset += bitlen) {
    auto data = static_cast<std::uint32_t>(luaL_checkinteger(L, argn));
    if (offset + bitlen > 512) return luaL_error(L, spi_errors::k_data_range_exceeded);
    c.bus.set_bits(offset, bitlen, data);
  }
  return 0;
}

// spi.set_mosi(id, offset, bitlen, data...) or (id, string)
int spi_set_mosi(lua_State* L) {
  if (firmware1(L)) return set_mosi_v1(L);
  Channel& c = check_channel(L, luaL_checkinteger(L, 1));
  if (lua_type(L, 2) == LUA_TSTRING) {
    std::size_t len = 0;
    const char* data = luaL_checklstring(L, 2, &len);
    luaL_argcheck(L, len <= 64, 2, spi_errors::k_out_of_range);
    c.bus.set_bytes(data, len);
    return 0;
  }
  int offset = static_cast<int>(luaL_checkinteger(L, 2));
  int bitlen = static_cast<int>(luaL_checkinteger(L, 3));
  luaL_argcheck(L, offset >= 0 && offset <= 511, 2, spi_errors::k_out_of_range);
  luaL_argcheck(L, bitlen >= 1 && bitlen <= 32, 3, spi_errors::k_out_of_range);
  for (int argn = 4; argn <= lua_gettop(L); ++argn, offset += bitlen) {
    auto data = static_cast<std::uint32_t>(luaL_checkinteger(L, argn));
    if (offset + bitlen > 512) return luaL_error(L, spi_errors::k_data_range_exceeded);
    c.bus.set_bits(offset, bitlen, data);
  }
  return 0;
}

int push_miso_values(lua_State* L, Channel& c, int offset, int bitlen, int num) {
  // The firmware returns a negative count as it is (the Lua core then reads outside the stack:
  // garbage or a crash); here such a count returns nothing.
  if (num <= 0) return 0;
  luaL_checkstack(L, num, "too many results");
  for (int i = 0; i < num; ++i)
    lua_pushinteger(L, static_cast<lua_Integer>(c.bus.get_bits(offset + bitlen * i, bitlen)));
  return num;
}

// spi.get_miso(id, offset, bitlen, num) or (id, len)
int spi_get_miso(lua_State* L) {
  lua_Integer id = luaL_checkinteger(L, 1);
  if (firmware1(L)) {
    int offset = static_cast<int>(luaL_checkinteger(L, 2));
    int bitlen = static_cast<int>(luaL_checkinteger(L, 3));
    int num = static_cast<int>(luaL_checkinteger(L, 4));
    Channel& c = check_channel(L, id);
    if (offset < 0 || offset > 511) return luaL_error(L, spi_errors::k_out_of_range);
    if (bitlen < 1 || bitlen > 32) return luaL_error(L, spi_errors::k_bitlen_out_of_range);
    // 64-bit: a script's huge count must not overflow the firmware's bound check (UB in int).
  if (offset + static_cast<long long>(bitlen) * num > 512) return luaL_error(L, spi_errors::k_out_of_range);
    return push_miso_values(L, c, offset, bitlen, num);
  }
  Channel& c = check_channel(L, id);
  if (lua_gettop(L) == 2) {
    int len = static_cast<int>(luaL_checkinteger(L, 2));
    luaL_argcheck(L, len >= 1 && len <= 64, 2, spi_errors::k_out_of_range);
    char data[64];
    c.bus.get_bytes(data, static_cast<std::size_t>(len));
    lua_pushlstring(L, data, static_cast<std::size_t>(len));
    return 1;
  }
  int offset = static_cast<int>(luaL_checkinteger(L, 2));
  int bitlen = static_cast<int>(luaL_checkinteger(L, 3));
  int num = static_cast<int>(luaL_checkinteger(L, 4));
  luaL_argcheck(L, offset >= 0 && offset <= 511, 2, spi_errors::k_out_of_range);
  luaL_argcheck(L, bitlen >= 1 && bitlen <= 32, 3, spi_errors::k_out_of_range);
  // 64-bit: a script's huge count must not overflow the firmware's bound check (UB in int).
  if (offset + static_cast<long long>(bitlen) * num > 512) return luaL_error(L, spi_errors::k_out_of_range);
  return push_miso_values(L, c, offset, bitlen, num);
}

struct TransactionArgs {
  int cmd_bitlen, addr_bitlen, mosi_bitlen, dummy_bitlen, miso_bitlen;
  std::uint32_t cmd, addr;
};

// 1.5.4.1: every argument read first, then the id, then its own texts.
void check_transaction_v1(lua_State* L, TransactionArgs& a) {
  a.cmd_bitlen = static_cast<int>(luaL_checkinteger(L, 2));
  a.cmd = static_cast<std::uint16_t>(luaL_checkinteger(L, 3));
  a.addr_bitlen = static_cast<int>(luaL_checkinteger(L, 4));
  a.addr = static_cast<std::uint32_t>(luaL_checkinteger(L, 5));
  a.mosi_bitlen = static_cast<int>(luaL_checkinteger(L, 6));
  a.dummy_bitlen = static_cast<int>(luaL_checkinteger(L, 7));
  a.miso_bitlen = static_cast<int>(luaL_checkinteger(L, 8));
  check_channel(L, luaL_checkinteger(L, 1));
  if (a.cmd_bitlen < 0 || a.cmd_bitlen > 16) luaL_error(L, spi_errors::k_cmd_bitlen);
  if (a.addr_bitlen < 0 || a.addr_bitlen > 32) luaL_error(L, spi_errors::k_addr_bitlen);
  if (a.mosi_bitlen < 0 || a.mosi_bitlen > 512) luaL_error(L, spi_errors::k_mosi_bitlen);
  if (a.dummy_bitlen < 0 || a.dummy_bitlen > 256) luaL_error(L, spi_errors::k_dummy_bitlen);
  if (a.miso_bitlen < -512 || a.miso_bitlen > 512) luaL_error(L, spi_errors::k_miso_bitlen);
}

void check_transaction(lua_State* L, TransactionArgs& a) {
  a.cmd_bitlen = static_cast<int>(luaL_checkinteger(L, 2));
  a.cmd = static_cast<std::uint16_t>(luaL_checkinteger(L, 3));
  luaL_argcheck(L, a.cmd_bitlen >= 0 && a.cmd_bitlen <= 16, 2, spi_errors::k_out_of_range);
  a.addr_bitlen = static_cast<int>(luaL_checkinteger(L, 4));
  a.addr = static_cast<std::uint32_t>(luaL_checkinteger(L, 5));
  luaL_argcheck(L, a.addr_bitlen >= 0 && a.addr_bitlen <= 32, 4, spi_errors::k_out_of_range);
  a.mosi_bitlen = static_cast<int>(luaL_checkinteger(L, 6));
  luaL_argcheck(L, a.mosi_bitlen >= 0 && a.mosi_bitlen <= 512, 6, spi_errors::k_out_of_range);
  a.dummy_bitlen = static_cast<int>(luaL_checkinteger(L, 7));
  luaL_argcheck(L, a.dummy_bitlen >= 0 && a.dummy_bitlen <= 256, 7, spi_errors::k_out_of_range);
  a.miso_bitlen = static_cast<int>(luaL_checkinteger(L, 8));
  luaL_argcheck(L, a.miso_bitlen >= -512 && a.miso_bitlen <= 512, 8, spi_errors::k_out_of_range);
}

// spi.transaction(id, cmd_bitlen, cmd, addr_bitlen, addr, mosi_bitlen, dummy_bitlen, miso_bitlen)
int spi_transaction(lua_State* L) {
  TransactionArgs a{};
  if (firmware1(L)) {
    check_transaction_v1(L, a);
  } else {
    check_channel(L, luaL_checkinteger(L, 1));
    check_transaction(L, a);
  }
  Channel& c = check_channel(L, luaL_checkinteger(L, 1));
  c.bus.transaction(a.cmd_bitlen, a.cmd, a.addr_bitlen, a.addr, a.mosi_bitlen, a.dummy_bitlen,
                    a.miso_bitlen);
  if (push_fault(L)) return lua_error(L);
  trace(L, "transaction", c.bus);
  return 0;
}

// spi.set_clock_div(id, div): the previous divider (2.2.1 on).
int spi_set_clock_div(lua_State* L) {
  Channel& c = check_channel(L, luaL_checkinteger(L, 1));
  auto div = static_cast<std::uint32_t>(luaL_checkinteger(L, 2));
  lua_Integer old = c.clock_div;
  if (div != 0) c.clock_div = div;
  lua_pushinteger(L, old);
  return 1;
}

}  // namespace

int open_spi(lua_State* L) {
  static const luaL_Reg functions[] = {{"setup", spi_setup},       {"send", spi_send},
                                       {"recv", spi_recv},         {"set_mosi", spi_set_mosi},
                                       {"get_miso", spi_get_miso}, {"transaction", spi_transaction},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  if (!firmware1(L)) {
    lua_pushcfunction(L, spi_set_clock_div);
    lua_setfield(L, -2, "set_clock_div");
  }
  lua::set_constants(L, {{"MASTER", k_master},
                         {"SLAVE", k_slave},
                         {"CPHA_LOW", 0},
                         {"CPHA_HIGH", 1},
                         {"CPOL_LOW", 0},
                         {"CPOL_HIGH", 1},
                         {"DATABITS_8", 8},
                         {"HALFDUPLEX", k_halfduplex},
                         {"FULLDUPLEX", k_fullduplex}});
  return 1;
}

}  // namespace nodemcu_emu::modules
