// net.tcpsocket: what a script sees of a TCP connection (spec net.md 4), client or accepted.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/device.hpp"
#include "core/timer_handle.hpp"
#include "modules/net/net_object.hpp"
#include "modules/net/tcp_connection.hpp"

namespace nodemcu_emu::net {

class TcpSocket : public TcpConnection::Owner, public std::enable_shared_from_this<TcpSocket> {
 public:
  // The device's send buffer (TCP_SND_BUF = 2 * TCP_MSS, net.md 4.5).
  static constexpr std::size_t k_send_buffer = 2920;

  explicit TcpSocket(core::Device& d);
  ~TcpSocket() override;

  // A connection a server accepted; the userdata for it is at `self_index`. `timeout_s` is the
  // server's inactivity timeout.
  void adopt(lua_State* L, int self_index, tcp::socket&& socket, const tcp::endpoint& peer, int timeout_s);
  // Registered listen callbacks and the "connection" callback run, then reading starts.
  void start_accepted();
  bool open() const { return state_ != State::idle; }

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

  const std::string& name() const { return name_; }

 private:
  enum class State { idle, resolving, connecting, connected };

  void on_read(const boost::system::error_code& ec, const char* data, std::size_t n) override;
  void on_written(const boost::system::error_code& ec, std::size_t sends, std::size_t bytes) override;

  // connect()'s and dns()'s work with C++ objects, kept out of the frames that raise Lua errors.
  int start_resolving(lua_State* L, const char* host, std::size_t len, std::uint32_t& ip);
  void connect_resolved(std::uint64_t generation, std::optional<std::uint32_t> answer);
  int start_dns_query(const char* host, std::size_t len, std::uint32_t& ip);
  void dns_answered(std::optional<std::uint32_t> answer);
  // Calls the "dns" handler inside the current Lua call (a dotted quad): errors propagate.
  void call_dns_now(lua_State* L, std::uint32_t ip);
  void begin_connect(std::uint32_t ip);
  void connected();
  void schedule_flush();
  // The connection ended without a local close(): peer FIN (err 0), reset, timeout.
  void ended(int err, bool graceful);
  // The pcb is gone: state idle, anchor dropped, counters and timers released.
  void release_pcb(bool graceful, bool abort);
  void note_activity();
  void arm_idle_timer();
  void idle_timer_fired();
  void trace(std::string_view event, std::initializer_list<core::Trace::Field> fields = {});
  // Calls the handler for `e` with `self` (this socket's userdata) and what `args` pushes. Net
  // callbacks are unprotected on the device: an error in one is a PANIC. False when nothing ran
  // (no handler, no userdata, the device halted) or the handler failed.
  bool fire(Event e, const lua::Ref& self, core::Device::PushArgs args = {});
  bool fire(Event e, core::Device::PushArgs args = {}) { return fire(e, anchor_, args); }

  core::Device& device_;
  std::string name_;
  State state_ = State::idle;
  std::shared_ptr<TcpConnection> conn_;
  Callbacks callbacks_;
  lua::Ref anchor_;
  core::EventLoop::KeepAlive keep_;
  bool counted_ = false;       // counts against the established-connection limit
  bool held_ = false;
  bool delivering_ = false;    // inside the frames of one read
  bool in_receive_ = false;    // inside a "receive" callback
  bool flush_posted_ = false;
  int callback_depth_ = 0;     // inside this socket's callbacks: a flush follows them
  int dns_pending_ = 0;
  lua::Ref dns_anchor_;
  std::size_t outstanding_ = 0;   // bytes of send() not yet taken by the host
  std::size_t awaiting_sent_ = 0; // send() calls whose "sent" has not fired
  std::uint16_t remote_port_ = 0;
  std::uint32_t remote_ip_ = 0;
  int ttl_ = 255;
  int timeout_s_ = 0;
  core::Micros last_activity_{0};
  core::TimerHandle idle_timer_;  // the inactivity timeout, or the SYN retries giving up
  std::uint64_t connect_generation_ = 0;
};

// Registers net.tcpsocket's metatable.
void register_tcp_socket_class(lua_State* L);
// Pushes a new, unconnected socket userdata (net.createConnection).
TcpSocket& push_new_tcp_socket(lua_State* L);

}  // namespace nodemcu_emu::net
