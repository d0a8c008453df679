// net.tcpsocket: what a script sees of a TCP connection (spec net.md 4), client or accepted.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/device.hpp"
#include "modules/net/net_object.hpp"
#include "core/ip/tcp_session.hpp"

namespace nodemcu_emu::net {

// The binding: Lua methods check their arguments (firmware wording) and act on the session it
// is; the session's events become callbacks (fire → Device::dispatch). What needs the device
// (DNS, addresses, the station, limits) is done here and handed to the session. One object, not
// a binding holding a session: a thousand idle connections keep a thousand of these
// (docs/performance.md, hold). The session's methods the script has a namesake of (close, send,
// hold, ...) are called qualified, TcpSession::close.
class TcpSocket final : public TcpSession {
 public:
  explicit TcpSocket(core::Device& d);
  ~TcpSocket() override;
  std::shared_ptr<TcpSocket> shared_socket() {
    return std::static_pointer_cast<TcpSocket>(shared_from_this());
  }

  // A connection a server accepted (`fd`, owned from now on); the userdata for it is at
  // `self_index`. `timeout_s` is the server's inactivity timeout.
  void adopt(lua_State* L, int self_index, int fd, const tcp::endpoint& peer, int timeout_s);
  // Registered listen callbacks and the "connection" callback run, then reading starts.
  void start_accepted() { start(); }
  bool open() const { return resolving_ || state() != TcpSession::State::idle; }

  // Lua methods (arg 1 is this socket).
  int connect(lua_State* L);
  int close(lua_State* L);
  int on(lua_State* L) { return set_callback(L, callbacks_, k_tcp_events); }
  int send(lua_State* L);
  int hold(lua_State* L);
  int unhold(lua_State* L);
  int dns(lua_State* L);
  int ttl(lua_State* L);
  int getpeer(lua_State* L);
  int getaddr(lua_State* L);

  // The userdata was collected: abort what is open (RST, no callback), release every ref.
  void collected();

  using TcpSession::name;

 private:
  // TcpSession's events
  void on_connected() override;
  bool on_receive(const char* data, std::size_t n) override;
  void on_sent() override;
  void on_disconnected(int err) override;
  void on_slot(bool taken) override;

  // connect()'s and dns()'s work with C++ objects, kept out of the frames that raise Lua errors.
  int start_resolving(lua_State* L, const char* host, std::size_t len, std::uint32_t& ip);
  void connect_resolved(std::uint16_t generation, std::optional<std::uint32_t> answer);
  int start_dns_query(const char* host, std::size_t len, std::uint32_t& ip);
  void dns_answered(std::optional<std::uint32_t> answer);
  // Calls the "dns" handler inside the current Lua call (a dotted quad): errors propagate.
  void call_dns_now(lua_State* L, std::uint32_t ip);
  void begin_connect(std::uint32_t ip);
  // The anchor and the loop's keep-alive go unless a DNS answer still needs the socket.
  void let_go();
  void trace(std::string_view event, std::initializer_list<core::Trace::Field> fields = {});
  // Calls the handler for `e` with `self` (this socket's userdata) and what `args` pushes. Net
  // callbacks are unprotected on the device: an error in one is a PANIC. False when nothing ran
  // (no handler, no userdata, the device halted) or the handler failed.
  // `self`: a Ref taken out of the pins (the handler runs after the pin went).
  bool fire(Event e, const lua::Ref& self, core::Device::PushArgs args = {});
  bool fire(Event e, core::Device::PushArgs args = {}) { return fire_pinned(e, k_anchor, args); }
  bool fire_pinned(Event e, std::size_t pin, core::Device::PushArgs args = {});
  bool fire_with(Event e, core::Device::PushCall push_self, core::Device::PushArgs args);

  // Packed, and first so that they fill the session's tail: a thousand idle connections keep a
  // thousand of these (docs/performance.md, hold).
  bool resolving_ : 1 = false;   // connect() waits for DNS (the pcb exists, in CLOSED state)
  bool keeps_loop_ : 1 = false;  // holds one of the loop's keep-alives (keep_loop)
  std::uint8_t ttl_ = 255;       // a u8 field on the device
  std::uint16_t remote_port_ = 0;
  std::uint32_t remote_ip_ = 0;
  // A newer connect() ignores an older answer (16 bits: an answer comes within seconds).
  std::uint16_t resolve_generation_ = 0;
  std::uint16_t dns_pending_ = 0;
  core::Device& device_;
  // The handlers, and two pins: the anchor (net.c's self_ref: pins the userdata while the pcb
  // exists or DNS is pending for connect) and the dns anchor (while dns() queries are pending).
  static constexpr std::size_t k_anchor = 0;
  static constexpr std::size_t k_dns_anchor = 1;
  Callbacks<2> callbacks_;
  // While the socket is open or DNS is pending the loop runs on (EventLoop::add_keepalive).
  void keep_loop() {
    if (!keeps_loop_) device_.loop().add_keepalive();
    keeps_loop_ = true;
  }
  void release_loop() {
    if (keeps_loop_) device_.loop().release_keepalive();
    keeps_loop_ = false;
  }
};

// Registers net.tcpsocket's metatable.
void register_tcp_socket_class(lua_State* L);
// Pushes a new, unconnected socket userdata (net.createConnection).
TcpSocket& push_new_tcp_socket(lua_State* L);

}  // namespace nodemcu_emu::net
