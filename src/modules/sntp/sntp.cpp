// sntp: sync / setoffset / getoffset (app/modules/sntp.c at 2.2.1-master_20190405 for
// --firmware=2, 3.0.0-release_20240225 for 3). The exchange is SntpClient's; this file checks
// the arguments with the firmware's texts and calls the script back.
#include <memory>
#include <string>
#include <vector>

#include "core/device.hpp"
#include "core/timer_handle.hpp"
#include "lua/ref.hpp"
#include "core/ip/address.hpp"
#include "modules/sntp/sntp_client.hpp"
#include "modules/sntp/sntp_errors.hpp"

namespace sntp_errors = nodemcu_emu::sntp::errors;

namespace nodemcu_emu::modules {

namespace {

using core::Device;
using sntp::SntpClient;

// A sync's two callbacks. The autorepeat keeps them too (the firmware copies the registry refs
// into sntp_repeat_t), so a repeat run and the pending sync share them.
struct Callbacks {
  lua::Ref on_sync;
  lua::Ref on_error;
};

struct Repeat {
  std::shared_ptr<Callbacks> callbacks;
  std::vector<std::string> names;  // the list to look up again when no server is known
  core::TimerHandle timer;
};

struct SntpState {
  explicit SntpState(Device& d) : device(d) {}
  Device& device;
  std::shared_ptr<sntp::Persistent> persistent = std::make_shared<sntp::Persistent>();
  std::shared_ptr<SntpClient> client;  // the pending sync (sntp.c's `state`)
  std::shared_ptr<Callbacks> callbacks;
  std::unique_ptr<Repeat> repeat;
  // An argument error raised after state_init leaves `state` allocated on the device: every
  // later sync() then fails with "sync in progress" until the next reboot.
  bool stuck = false;
};

SntpState& state_of(Device& d) { return d.module_state<SntpState>(); }

core::Protection protection(const Device& d) {
  // 2.2.1 calls both callbacks with lua_call; 3.0 with luaL_pcallx.
  return d.options().firmware >= 3 ? core::Protection::pcallx : core::Protection::unprotected;
}

void set_field(lua_State* L, const char* key, lua_Number value) {
  lua_pushnumber(L, value);
  lua_setfield(L, -2, key);
}

// sntp_handle_result's arguments: sec, usec, server, info table.
int push_success(lua_State* L, const sntp::Outcome& o) {
  const auto& s = o.sample;
  lua_pushnumber(L, o.time.sec);
  lua_pushnumber(L, o.time.usec);
  char ip[16];
  net::format_ipv4(o.server, ip);
  lua_pushstring(L, ip);
  lua_newtable(L);
  auto offset = sntp::offset_field(s.delta);
  set_field(L, offset.seconds ? "offset_s" : "offset_us", static_cast<lua_Number>(offset.value));
  if (s.delay_frac > 0) set_field(L, "delay_us", sntp::frac16_to_us(s.delay_frac));
  set_field(L, "root_delay_us", sntp::frac16_to_us(s.root_delay));
  set_field(L, "root_dispersion_us", sntp::frac16_to_us(s.root_dispersion));
  set_field(L, "root_maxerr_us",
            sntp::frac16_to_us(std::uint32_t(s.root_maxerr + s.delay_frac / 2)));
  set_field(L, "stratum", s.stratum);
  set_field(L, "leap", s.leap);
  set_field(L, "pending_leap", o.pending_leap);
  return 4;
}

// cleanup() runs before the callback: inside it the sync is over and sync() may start another.
void on_done(Device& d, const sntp::Outcome& outcome) {
  auto& st = state_of(d);
  auto callbacks = std::move(st.callbacks);
  st.client.reset();
  if (!callbacks) return;
  if (outcome.error != 0) {
    d.dispatch(callbacks->on_error, protection(d), [&outcome](lua_State* L) {
      lua_pushinteger(L, outcome.error);
      if (outcome.detail) lua_pushlstring(L, outcome.detail->data(), outcome.detail->size());
      else lua_pushnil(L);  // lua_pushstring(L, NULL)
      return 2;
    });
    return;
  }
  d.dispatch(callbacks->on_sync, protection(d),
             [&outcome](lua_State* L) { return push_success(L, outcome); });
}

// state_init: a new client on its own pcb; false when no port is free.
bool new_client(Device& d, bool on_timeout) {
  auto& st = state_of(d);
  st.client = std::make_shared<SntpClient>(
      d, st.persistent, on_timeout, [&d](const sntp::Outcome& o) { on_done(d, o); });
  // 3.0 starts the clock conditioning from the rate rtctime has now.
  if (d.options().firmware >= 3) st.persistent->pll.increment = d.rtc().rate();
  if (st.client->open()) return true;
  st.client.reset();
  return false;
}

void repeat_fired(Device& d);

void arm_repeat(Device& d) {
  auto& r = *state_of(d).repeat;
  r.timer.start_after(d.loop(), std::chrono::seconds(sntp::k_repeat_s), [&d] { repeat_fired(d); });
}

// on_long_timeout: every 1000 s, unless a sync is still pending.
void repeat_fired(Device& d) {
  auto& st = state_of(d);
  arm_repeat(d);
  if (st.client || st.stuck) return;
  if (!new_client(d, true)) return;
  st.callbacks = st.repeat->callbacks;
  bool known = !st.persistent->servers.empty();
  auto client = st.client;
  client->start_lookups(known ? std::vector<std::string>{} : st.repeat->names);
}

// --- argument phase: everything that may raise happens before any C++ object is built ---

// The server list as sntp_dolookups reads it, copied to a table of strings at the top of the
// stack (luaL_checklstring converts numbers, and raises for anything else).
void push_name_list(lua_State* L, int index) {
  lua_newtable(L);
  int n = static_cast<int>(lua_objlen(L, index));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, index, i);
    size_t len = 0;
    luaL_checklstring(L, -1, &len);
    lua_rawseti(L, -2, i);
  }
}

std::vector<std::string> names_from(lua_State* L, int index) {
  std::vector<std::string> names;
  int n = static_cast<int>(lua_objlen(L, index));
  for (int i = 1; i <= n; ++i) {
    lua_rawgeti(L, index, i);
    size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);  // a string already: no allocation, no raise
    names.emplace_back(s, len);
    lua_pop(L, 1);
  }
  return names;
}

void push_default_list(lua_State* L) {
  lua_newtable(L);
  for (int i = 0; i < 4; i++) {
    lua_pushfstring(L, "%d.nodemcu.pool.ntp.org", i);
    lua_rawseti(L, -2, i + 1);
  }
}

enum class Start { list, single, cached };

// Starts the client; returns false when it ended at once with a "bad hostname" (2.x).
bool start(Device& d, lua_State* L, Start how, int list_index, bool repeat) {
  auto& st = state_of(d);
  auto client = st.client;
  std::vector<std::string> names;
  if (how == Start::list) names = names_from(L, list_index);
  if (how == Start::single) {
    if (!client->start_single(lua_tostring(L, 1))) return false;
  } else {
    client->start_lookups(names);
  }
  // The firmware's set_repeat_mode reads the state the sync just freed if it already ended
  // (a crash); the emulator only repeats a sync still pending.
  if (repeat && st.client == client) {
    st.repeat = std::make_unique<Repeat>();
    st.repeat->callbacks = st.callbacks;
    st.repeat->names = std::move(names);
    arm_repeat(d);
  }
  return true;
}

int sntp_sync(lua_State* L) {
  Device& d = Device::from(L);
  auto& st = state_of(d);
  st.repeat.reset();  // set_repeat_mode(L, 0) comes before everything, even "sync in progress"
  if (st.client || st.stuck) return luaL_error(L, sntp_errors::k_sync_in_progress);
  bool v3 = d.options().firmware >= 3;
  bool repeat = !lua_isnoneornil(L, 4);
  Start how = Start::cached;
  int list_index = lua_gettop(L) + 1;
  if (!lua_isnoneornil(L, 1)) {
    if (lua_istable(L, 1)) {
      st.stuck = true;  // until the entries are checked: see `stuck`
      push_name_list(L, 1);
      how = Start::list;
    } else {
      st.stuck = true;
      size_t len = 0;
      luaL_checklstring(L, 1, &len);
      st.stuck = false;
      if (len > 128) return luaL_error(L, sntp_errors::k_need_128_hostname);
      if (v3) {
        lua_newtable(L);  // 3.0 makes a one-entry list of it
        lua_pushvalue(L, 1);
        lua_rawseti(L, -2, 1);
        how = Start::list;
      } else {
        if (len == 0) return luaL_error(L, sntp_errors::k_bad_hostname);  // dns_gethostbyname: ERR_ARG
        how = Start::single;
      }
    }
    st.stuck = false;
  } else if (st.persistent->servers.empty()) {
    push_default_list(L);
    how = Start::list;
  } else if (v3 && lua_gettop(L) == 4) {
    // 3.0 takes luaL_ref of the top of the stack as the list here: with four arguments that
    // pops `autorepeat`, which is then not seen.
    repeat = false;
  }
  if (!new_client(d, false)) return luaL_error(L, sntp_errors::k_no_port_available);
  st.callbacks = std::make_shared<Callbacks>();
  if (!lua_isnoneornil(L, 2)) st.callbacks->on_sync = lua::Ref(L, 2);
  if (!lua_isnoneornil(L, 3)) st.callbacks->on_error = lua::Ref(L, 3);
  if (!start(d, L, how, list_index, repeat)) {
    st.client.reset();
    st.callbacks.reset();
    return luaL_error(L, sntp_errors::k_bad_hostname);
  }
  return 0;
}

int sntp_setoffset(lua_State* L) {
  auto offset = static_cast<std::uint8_t>(luaL_checkinteger(L, 1));  // the_offset is a uint8_t
  Device& d = Device::from(L);
  auto& leap = state_of(d).persistent->leap;
  leap.offset = offset;
  auto sec = static_cast<std::uint32_t>(d.rtc().epoch_us(d.loop().now()) / 1000000);
  if (sec) leap.next_midnight = leap.midnight_after(static_cast<std::int32_t>(sec));
  leap.in_use = true;
  return 0;
}

int sntp_getoffset(lua_State* L) {
  Device& d = Device::from(L);
  auto& leap = state_of(d).persistent->leap;
  leap.update(static_cast<std::uint32_t>(d.rtc().epoch_us(d.loop().now()) / 1000000));
  lua_pushnumber(L, leap.offset);
  return 1;
}

}  // namespace

int open_sntp(lua_State* L) {
  static const luaL_Reg functions[] = {{"sync", sntp_sync},
                                       {"setoffset", sntp_setoffset},
                                       {"getoffset", sntp_getoffset},
                                       {nullptr, nullptr}};
  lua_newtable(L);
  luaL_register(L, nullptr, functions);
  return 1;
}

}  // namespace nodemcu_emu::modules
