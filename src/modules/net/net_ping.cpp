// net.ping (profile 3; app/modules/net_ping.c and app/lwip/app/ping.c at 3.0).
//
// The emulator sends nothing off the machine and has no ICMP of its own, so the echo is a
// model: an address in 127.0.0.0/8 (the device's own and the test peers') answers each request
// 1 ms later; any other address stays silent and every request times out. The schedule is the
// firmware's: a request at once and then every second (PING_COARSE), each with a 1 s timeout
// (PING_TIMEOUT_MS), 32 bytes of data, sequence numbers counted across all pings, and after the
// last round the summary.
#include <cstdint>
#include <algorithm>
#include <list>
#include <memory>
#include <optional>

#include "core/device.hpp"
#include "core/ip/address.hpp"
#include "core/ip/dns_resolver.hpp"
#include "core/ip/lwip_errors.hpp"
#include "core/timer_handle.hpp"
#include "modules/net/net_parts.hpp"

namespace nodemcu_emu::net {

namespace {

using core::Device;
using core::Micros;
using namespace std::chrono_literals;

constexpr int k_default_count = 4;     // DEFAULT_PING_MAX_COUNT
constexpr lua_Integer k_data_size = 32;  // PING_DATA_SIZE
constexpr Micros k_coarse = 1000ms;
constexpr Micros k_timeout = 1000ms;
constexpr Micros k_loopback_rtt = 1ms;

struct Ping;

// The pings in progress: dropped at a reboot with everything they hold.
struct PingState {
  explicit PingState(Device&) {}
  std::list<std::shared_ptr<Ping>> pings;
  std::uint16_t seq = 0;  // ping.c's ping_seq_num, shared by every ping
};

struct Ping : std::enable_shared_from_this<Ping> {
  Ping(Device& d, lua::Ref r, lua::Ref s, int count)
      : device(d), received(std::move(r)), sent(std::move(s)), max_count(count), left(count) {}

  Device& device;
  lua::Ref received;
  lua::Ref sent;
  std::uint32_t ip = 0;
  int max_count;
  int left;
  int timeouts = 0;
  Micros start{0};
  Micros request_time{0};
  std::uint16_t seq = 0;
  core::TimerHandle timeout_timer;
  core::TimerHandle coarse_timer;
  core::TimerHandle reply_timer;

  bool answers() const { return (ip >> 24) == 127; }

  template <class F>
  void after(core::TimerHandle& timer, Micros delay, F step) {
    std::weak_ptr<Ping> self = weak_from_this();
    timer.start_after(device.loop(), delay, [self, step] {
      if (auto p = self.lock()) step(*p);
    });
  }

  void begin(std::uint32_t target) {
    ip = target;
    start = device.loop().now();
    request();
  }

  void request() {
    auto& state = device.module_state<PingState>();
    if (++state.seq == 0x7fff) state.seq = 1;
    seq = state.seq;
    request_time = device.loop().now();
    after(timeout_timer, k_timeout, [](Ping& p) { p.timed_out(); });
    after(coarse_timer, k_coarse, [](Ping& p) { p.tick(); });
    if (answers()) after(reply_timer, k_loopback_rtt, [](Ping& p) { p.reply(); });
  }

  void reply() {
    timeout_timer.cancel();
    auto rtt = std::chrono::duration_cast<std::chrono::milliseconds>(device.loop().now() - request_time);
    report(k_data_size, static_cast<lua_Integer>(seq), static_cast<lua_Integer>(rtt.count()));
  }

  // ping_timeout: the receive callback with a zeroed response and ping_err -1.
  void timed_out() {
    ++timeouts;
    report(0, 0, -1);
  }

  void report(lua_Integer bytes, lua_Integer seqno, lua_Integer rtt) {
    char text[16];
    format_ipv4(ip, text);
    device.dispatch(received, core::Protection::pcallx, [&](lua_State* L) {
      lua_pushinteger(L, bytes);
      lua_pushstring(L, text);
      lua_pushinteger(L, seqno);
      lua_pushinteger(L, rtt);
      return 4;
    });
  }

  // ping_coarse_tmr: the next request, or the summary after the last one.
  void tick() {
    if (--left != 0) {
      request();
      return;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(device.loop().now() - start);
    char text[16];
    format_ipv4(ip, text);
    lua_Integer total = max_count, lost = timeouts;
    if (sent) {
      device.dispatch(sent, core::Protection::pcallx, [&](lua_State* L) {
        lua_pushstring(L, text);
        lua_pushinteger(L, total);
        lua_pushinteger(L, lost);
        lua_pushinteger(L, k_data_size * (total - lost));
        lua_pushinteger(L, static_cast<lua_Integer>(ms.count()));
        return 5;
      });
    }
    finish();
  }

  // A name that does not resolve: the receive callback gets 0 alone.
  void unresolved() {
    device.dispatch(received, core::Protection::pcallx, [](lua_State* L) {
      lua_pushinteger(L, 0);
      return 1;
    });
    finish();
  }

  void finish() {
    auto& pings = device.module_state<PingState>().pings;
    auto keep = shared_from_this();  // this object lives until the end of the call
    pings.remove(keep);
  }
};

// dns_gethostbyname, then the first request; the err_t of the lookup. Owns no object past its
// return, so that the caller may raise.
int start(Device& d, const char* target, std::shared_ptr<Ping> ping) {
  d.module_state<PingState>().pings.push_back(ping);
  std::uint32_t ip = 0;
  std::weak_ptr<Ping> weak = ping;
  int err = dns_resolver(d).lookup(target, ip, [weak](std::optional<std::uint32_t> answer) {
    auto p = weak.lock();
    if (!p) return;
    if (!answer || *answer == 0xFFFFFFFFu) p->unresolved();
    else p->begin(*answer);
  });
  if (err == k_ok) {
    if (ip == 0xFFFFFFFFu) ping->unresolved();
    else ping->begin(ip);
  } else if (err != k_err_inprogress) {
    ping->finish();
  }
  return err;
}

// Lua: net.ping(domain, [count], received, [sent])
int net_ping(lua_State* L) {
  const char* target = luaL_checkstring(L, 1);
  bool count_omitted = lua_isfunction(L, 2);
  lua_Integer count = count_omitted ? 0 : luaL_optinteger(L, 2, 0);
  lua_settop(L, count_omitted ? 3 : 4);
  // net_ping.c checks with negative argument numbers, and lauxlib prints them as they are.
  luaL_argcheck(L, lua_isfunction(L, -2), -2, "no received callback specified");
  luaL_argcheck(L, lua_isfunction(L, -1) || lua_isnil(L, -1), -1, "invalid sent callback, function expected");
  Device& d = Device::from(L);
  std::shared_ptr<Ping> ping;
  {
    lua::Ref received(L, -2);  // may raise: no object with a destructor is alive yet
    lua::Ref sent = lua_isnil(L, -1) ? lua::Ref() : lua::Ref(L, -1);
    // ping_option.count is a u32: 0 (and anything that wraps to it) is the default 4.
    auto rounds = static_cast<std::uint32_t>(count);
    int n = rounds == 0 ? k_default_count : static_cast<int>(std::min<std::uint32_t>(rounds, 0x7fffffff));
    ping = std::make_shared<Ping>(d, std::move(received), std::move(sent), n);
  }
  int err = start(d, target, std::move(ping));
  if (err == k_ok || err == k_err_inprogress) return 0;
  return luaL_error(L, "lwip error %d", err);
}
}  // namespace

void open_ping(lua_State* L) {
  lua_pushcfunction(L, net_ping);
  lua_setfield(L, -2, "ping");
}

}  // namespace nodemcu_emu::net
