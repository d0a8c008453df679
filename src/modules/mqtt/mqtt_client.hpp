// The Lua-free core of an mqtt.Client (app/modules/mqtt.c at each profile's tag): the connect
// states, the firmware's queue of outgoing packets (one in flight: the next goes when the head
// is sent or acknowledged), its timers on the Clock (1.x/2.x: a 1 s tick counting a send
// timeout and keepalive ticks; 3.x: one timer re-armed for the send timeout or the keepalive),
// the receive buffering with max_message_length and "overflow", and QoS 0/1/2 as the firmware
// does them. The connection is a device TCP connection (core/ip/tcp_session): it counts against
// the TCP limit, is framed and traced like net's. Reports to MqttEvents; the binding (mqtt.cpp)
// implements those as Lua callbacks.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event_loop.hpp"
#include "core/ip/tcp_session.hpp"
#include "core/timer_handle.hpp"
#include "core/trace.hpp"
#include "modules/mqtt/mqtt_codec.hpp"

namespace nodemcu_emu::mqtt {

class MqttEvents {
 public:
  virtual ~MqttEvents() = default;
  virtual void on_connect() = 0;
  virtual void on_connfail(int code) = 0;
  // The connection ended (mqtt_socket_disconnected): `release` drops the client's self
  // reference (no reconnect follows), `offline` fires the "offline" callback.
  virtual void on_closed(bool offline, bool release) = 0;
  // A PUBLISH arrived (`overflow`: larger than max_message_length, cut to what was there).
  virtual void on_message(bool overflow, std::string_view topic, const std::string_view* data) = 0;
  virtual void on_puback() = 0;
  virtual void on_suback() = 0;
  virtual void on_unsuback() = 0;
};

class MqttClient : public std::enable_shared_from_this<MqttClient> {
 public:
  struct Config {
    int profile = 2;                   // firmware profile 1, 2 or 3
    std::size_t frame_size = 1460;
    std::function<void(bool)> slot;    // a TCP slot taken / given back (core/ip/tcp_stack)
  };
  enum class State { init, connect_sending, connect_sent, data };
  struct Pending {
    std::string bytes;
    std::uint16_t id;
    Type type;
    int qos;
    bool sent = false;  // 3.x: the head went out and waits for its answer
  };

  MqttClient(core::EventLoop& loop, core::Trace& trace, core::ObjectName name, Config config);
  ~MqttClient();
  void attach(std::weak_ptr<MqttEvents> events) { events_ = std::move(events); }

  ConnectInfo info;
  std::uint16_t max_message_length = 1024;
  int auto_reconnect = 0;  // 1.x/2.x: 0 off, 1 wanted, 2 on (once connected, 2.x)

  const std::string& name() const { return name_; }
  const Codec& codec() const { return codec_; }
  bool connected() const { return connected_; }       // the TCP connection is up
  bool has_connection() const { return has_conn_; }   // connect() was called and not ended
  State state() const { return state_; }
  std::size_t queue_size() const { return queue_.size(); }
  std::uint16_t next_id();

  // :connect once the host is known: a fresh device TCP connection from `bind` to `target`.
  void connect(const boost::asio::ip::tcp::endpoint& target, const boost::asio::ip::address& bind);
  // The host name did not resolve (CONN_FAIL_DNS, then the end of the connection).
  void dns_failed();
  // Queues a packet and sends if nothing is in flight. False: nothing queued (empty packet) or
  // the send failed.
  bool enqueue_and_send(std::string bytes, std::uint16_t id, Type type, int qos);
  // :close. 1.x/2.x: DISCONNECT then FIN at once, no "offline"; returns the send status.
  // 3.x: DISCONNECT is queued; when it is sent the connection closes and "offline" fires.
  bool close();
  // The userdata is collected: RST, no event.
  void abandon();

 private:
  class Link;
  friend class Link;
  void tcp_connected();
  void tcp_received(const char* data, std::size_t n);
  void tcp_sent();
  void tcp_ended(int err);

  void start_tcp();
  void disconnect_local();
  void disconnected();
  void errored();
  bool send_if_possible();
  bool send_bytes(const std::string& bytes);
  void arm_tick();
  void tick();
  void arm_once(int seconds);
  void timer_fired();
  void send_ping();
  void connect_timed_out();

  void receive(const std::uint8_t* data, std::size_t len);
  void handle_connack(const std::uint8_t* p, std::size_t n);
  void handle_packet(const std::uint8_t* p, std::size_t n);
  void deliver(const std::uint8_t* p, std::size_t n, bool overflow);
  void ack_publish(int qos, std::uint16_t id);
  void connfail(int code);
  void trace_packet(std::string_view dir, const std::string_view bytes);
  bool alive(std::uint64_t generation) const { return generation == generation_; }

  core::EventLoop& loop_;
  core::Trace& trace_;
  core::ObjectName object_name_;  // its TcpSession's too
  std::string name_;
  Config config_;
  Codec codec_;
  std::weak_ptr<MqttEvents> events_;
  std::shared_ptr<Link> link_;
  std::shared_ptr<net::TcpSession> session_;
  boost::asio::ip::tcp::endpoint target_;
  boost::asio::ip::address bind_;

  State state_ = State::init;
  bool connected_ = false;
  bool has_conn_ = false;
  bool keepalive_sent_ = false;
  bool sending_ = false;      // 3.x: handed to TCP, "sent" not yet reported
  int event_timeout_ = 0;     // 1.x/2.x: seconds left for the packet in flight
  int keep_alive_tick_ = 0;   // 1.x/2.x: idle seconds
  std::uint16_t last_id_ = 0;
  std::deque<Pending> queue_;
  core::TimerHandle timer_;
  core::TimerHandle retry_timer_;
  std::uint64_t generation_ = 0;  // one per TCP connection: stale events do nothing

  enum class Rx { normal, buffering_short, buffering, skipping };
  Rx rx_state_ = Rx::normal;
  std::vector<std::uint8_t> rx_pending_;
  std::size_t rx_want_ = 0;
  std::size_t rx_skip_ = 0;
};

}  // namespace nodemcu_emu::mqtt
