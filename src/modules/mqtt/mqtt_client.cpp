#include "modules/mqtt/mqtt_client.hpp"

#include <algorithm>

namespace nodemcu_emu::mqtt {

namespace {
constexpr int k_send_timeout_s = 5;  // MQTT_SEND_TIMEOUT
// MQTT_CONNECT_TIMEOUT: how long 1.x/2.x wait for the TCP connection (counted by the tick).
int connect_timeout_s(int profile) { return profile == 1 ? 5 : 60; }
// The device retries a refused connection as fast as the broker's RST comes back over Wi-Fi;
// on loopback that would spin (and virtual time would never move): retries are spaced instead.
constexpr auto k_retry_delay = std::chrono::seconds(1);
}  // namespace

// Forwards one TCP connection's events while it is the client's current one: an event of a
// connection the client has dropped (a reconnect started another) does nothing. Slots always
// reach the counter, whoever owns the session by then.
class MqttClient::Link : public net::TcpSessionEvents {
 public:
  Link(std::weak_ptr<MqttClient> c, std::uint64_t gen, std::function<void(bool)> slot)
      : client_(std::move(c)), gen_(gen), slot_(std::move(slot)) {}
  void on_connected() override {
    if (auto c = current()) c->tcp_connected();
  }
  bool on_receive(const char* data, std::size_t n) override {
    auto c = current();
    if (c) c->tcp_received(data, n);
    return c && c->alive(gen_);
  }
  void on_sent() override {
    if (auto c = current()) c->tcp_sent();
  }
  void on_disconnected(int err) override {
    if (auto c = current()) c->tcp_ended(err);
  }
  void on_slot(bool taken) override {
    if (slot_) slot_(taken);
  }

 private:
  std::shared_ptr<MqttClient> current() {
    auto c = client_.lock();
    return c && c->alive(gen_) ? c : nullptr;
  }
  std::weak_ptr<MqttClient> client_;
  std::uint64_t gen_;
  std::function<void(bool)> slot_;
};

MqttClient::MqttClient(core::EventLoop& loop, core::Trace& trace, core::ObjectName name,
                       Config config)
    : loop_(loop),
      trace_(trace),
      object_name_(name),
      name_(name.text()),
      config_(std::move(config)),
      codec_(config_.profile == 1 ? 1024 : 1460) {}

MqttClient::~MqttClient() {
  if (session_) session_->abandon();
}

std::uint16_t MqttClient::next_id() {
  if (++last_id_ == 0) ++last_id_;
  return last_id_;
}

// --- connecting ---

void MqttClient::connect(const boost::asio::ip::tcp::endpoint& target,
                         const boost::asio::ip::address& bind) {
  target_ = target;
  bind_ = bind;
  has_conn_ = true;
  connected_ = false;
  sending_ = false;
  retry_timer_.cancel();
  start_tcp();
}

// socket_connect: a new TCP connection; 1.x/2.x count the connect timeout on the 1 s tick.
void MqttClient::start_tcp() {
  if (session_) session_->abandon();
  ++generation_;
  state_ = State::init;
  connected_ = false;
  link_ = std::make_shared<Link>(weak_from_this(), generation_, config_.slot);
  auto relay = std::make_shared<net::TcpSessionRelay>(
      loop_, trace_, object_name_,
      net::TcpSession::Config{static_cast<std::uint32_t>(config_.frame_size)});
  relay->attach(link_);
  session_ = std::move(relay);
  session_->start_connecting();
  if (trace_.enabled())
    trace_.emit(loop_.now(), name_, "connect",
                {{"to", target_.address().to_string() + ":" + std::to_string(target_.port())}});
  boost::system::error_code ec;
  session_->open_bound(boost::asio::ip::tcp::endpoint(bind_, 0), ec);
  session_->connect(target_);
  if (config_.profile <= 2) {
    event_timeout_ = connect_timeout_s(config_.profile);
    arm_tick();
  }
}

void MqttClient::dns_failed() {
  auto self = shared_from_this();
  connfail(k_fail_dns);
  disconnected();
}

void MqttClient::tcp_connected() {
  auto self = shared_from_this();
  connected_ = true;
  std::string bytes = codec_.connect(info);
  send_bytes(bytes);
  if (config_.profile <= 2) {
    event_timeout_ = k_send_timeout_s;
    keep_alive_tick_ = 0;
  } else {
    sending_ = true;
    arm_once(k_send_timeout_s);
  }
  state_ = State::connect_sending;
}

void MqttClient::tcp_ended(int err) {
  auto self = shared_from_this();
  if (err == 0)
    disconnected();
  else
    errored();
}

// espconn_disconnect: FIN now; the disconnect callback (mqtt_socket_disconnected) follows later.
void MqttClient::disconnect_local() {
  if (session_) session_->close(false);
  loop_.post([weak = weak_from_this(), gen = generation_] {
    auto self = weak.lock();
    if (self && self->alive(gen)) self->disconnected();
  });
}

// mqtt_socket_disconnected.
void MqttClient::disconnected() {
  ++generation_;  // a disconnect callback already posted for this connection does nothing
  timer_.cancel();
  bool offline = connected_;
  connected_ = false;
  sending_ = false;
  rx_state_ = Rx::normal;
  rx_pending_.clear();
  bool reconnect = (config_.profile == 1 && auto_reconnect != 0) ||
                   (config_.profile == 2 && auto_reconnect == 2);
  if (config_.profile == 3) queue_.clear();
  if (reconnect) {
    start_tcp();
  } else {
    has_conn_ = false;
    if (session_) session_->abandon();
    session_.reset();
  }
  if (auto ev = events_.lock()) ev->on_closed(offline, !reconnect);
}

// mqtt_socket_reconnected: the connection failed (refused, reset, no answer).
void MqttClient::errored() {
  timer_.cancel();
  event_timeout_ = 0;
  bool reconnect = (config_.profile == 1 && auto_reconnect != 0) ||
                   (config_.profile == 2 && auto_reconnect == 2);
  if (reconnect) {
    if (session_) session_->abandon();
    ++generation_;
    retry_timer_.start_after(loop_, k_retry_delay, [weak = weak_from_this()] {
      if (auto self = weak.lock(); self && self->has_conn_) self->start_tcp();
    });
    return;
  }
  if (config_.profile >= 2) {
    auto gen = generation_;
    if (config_.profile == 2 && session_) session_->close(false);
    connfail(k_fail_server_not_found);
    if (!alive(gen)) return;
  } else if (session_) {
    session_->close(false);
  }
  disconnected();
}

void MqttClient::connfail(int code) {
  if (auto ev = events_.lock()) ev->on_connfail(code);
}

// --- sending ---

bool MqttClient::send_bytes(const std::string& bytes) {
  if (!session_ || session_->state() != net::TcpSession::State::connected) return false;
  if (bytes.empty() || !session_->fits(bytes.size())) return false;
  trace_packet("send", bytes);
  session_->send(bytes.data(), bytes.size());
  return true;
}

bool MqttClient::enqueue_and_send(std::string bytes, std::uint16_t id, Type type, int qos) {
  if (bytes.empty()) return false;
  queue_.push_back(Pending{std::move(bytes), id, type, qos});
  return send_if_possible();
}

// mqtt_send_if_possible: the head goes out when nothing is in flight. 1.x/2.x send the head
// again whenever it is still there after its "sent" (a QoS 1 PUBLISH waiting for PUBACK is
// sent again by the next publish or tick); 3.x sends each packet once.
bool MqttClient::send_if_possible() {
  if (queue_.empty()) return true;
  auto& head = queue_.front();
  if (config_.profile <= 2) {
    if (event_timeout_ != 0) return true;
    event_timeout_ = k_send_timeout_s;
    bool ok = send_bytes(head.bytes);
    keep_alive_tick_ = 0;
    return ok;
  }
  if (sending_ || head.sent) return true;
  head.sent = true;
  bool ok = send_bytes(head.bytes);
  sending_ = true;
  arm_once(k_send_timeout_s);
  return ok;
}

void MqttClient::tcp_sent() {
  if (!connected_) return;
  auto self = shared_from_this();
  auto gen = generation_;
  if (config_.profile <= 2) {
    event_timeout_ = 0;
    keep_alive_tick_ = 0;
  } else {
    sending_ = false;
    timer_.cancel();
  }
  if (state_ == State::connect_sending) {
    state_ = State::connect_sent;
    if (config_.profile <= 2)
      event_timeout_ = k_send_timeout_s;
    else
      arm_once(k_send_timeout_s);
    return;
  }
  if (config_.profile == 3) arm_once(info.keepalive);
  if (queue_.empty()) return;
  const auto& head = queue_.front();
  switch (head.type) {
    case Type::publish:
      // QoS 0: gone when sent; the "puback" callback says so (no PUBACK will come).
      if (head.qos != 0) return;
      queue_.pop_front();
      if (auto ev = events_.lock()) ev->on_puback();
      if (!alive(gen)) return;
      send_if_possible();
      return;
    case Type::puback:
    case Type::pubcomp:
    case Type::pingreq:
      queue_.pop_front();
      send_if_possible();
      return;
    case Type::disconnect:
      if (config_.profile == 3) {
        queue_.pop_front();
        disconnect_local();
      }
      return;
    default:
      return;
  }
}

// --- timers ---

void MqttClient::arm_tick() {
  timer_.start_after(loop_, std::chrono::seconds(1), [weak = weak_from_this()] {
    auto self = weak.lock();
    if (!self) return;
    self->arm_tick();
    self->tick();
  });
}

// mqtt_socket_timer under 1.x/2.x: once a second.
void MqttClient::tick() {
  if (!has_conn_) {
    timer_.cancel();
    return;
  }
  auto self = shared_from_this();
  if (event_timeout_ > 0) {
    if (--event_timeout_ > 0) return;
    // The packet in flight timed out: dropped (the firmware never retransmits with DUP).
    if (state_ == State::data && !queue_.empty()) queue_.pop_front();
  }
  switch (state_) {
    case State::init:
      timer_.cancel();
      connfail(k_fail_server_not_found);
      if (config_.profile == 2 && has_conn_) disconnect_local();
      break;
    case State::connect_sending:
    case State::connect_sent:
      keep_alive_tick_ = 0;
      connect_timed_out();
      break;
    case State::data:
      if (!queue_.empty()) {
        send_if_possible();
      } else if (++keep_alive_tick_ > info.keepalive) {
        if (keepalive_sent_)
          errored();  // no PINGRESP for a whole keepalive period
        else
          send_ping();
      }
      break;
  }
}

// CONNECT not sent, or no CONNACK, within the send timeout: the connection closes (its
// disconnect callback comes later, so the failure callback runs first either way).
void MqttClient::connect_timed_out() {
  int code = state_ == State::connect_sending ? k_fail_timeout_sending : k_fail_timeout_receiving;
  state_ = State::init;
  disconnect_local();
  connfail(code);
}

void MqttClient::arm_once(int seconds) {
  timer_.start_after(loop_, std::chrono::seconds(seconds), [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->timer_fired();
  });
}

// mqtt_socket_timer under 3.x: the send timeout or the keepalive period ran out.
void MqttClient::timer_fired() {
  if (!has_conn_) return;
  auto self = shared_from_this();
  switch (state_) {
    case State::connect_sending:
    case State::connect_sent:
      connect_timed_out();
      break;
    case State::data:
      if (!queue_.empty()) break;
      if (keepalive_sent_)
        disconnect_local();
      else
        send_ping();
      break;
    default:
      break;
  }
}

void MqttClient::send_ping() {
  queue_.push_back(Pending{Codec::bare(Type::pingreq), 0, Type::pingreq, 0});
  keepalive_sent_ = true;
  keep_alive_tick_ = 0;
  send_if_possible();
}

// --- closing ---

bool MqttClient::close() {
  auto self = shared_from_this();
  if (config_.profile == 3) {
    if (connected_) enqueue_and_send(Codec::bare(Type::disconnect), 0, Type::disconnect, 0);
    return true;
  }
  if (!has_conn_) return false;
  auto_reconnect = 0;
  bool ok = false;
  if (connected_) {
    ok = send_bytes(Codec::bare(Type::disconnect));
    disconnect_local();
  }
  connected_ = false;
  queue_.clear();
  return ok;
}

void MqttClient::abandon() {
  ++generation_;
  timer_.cancel();
  retry_timer_.cancel();
  if (session_) session_->abandon();
  session_.reset();
  queue_.clear();
  connected_ = false;
  has_conn_ = false;
}

// --- receiving ---

void MqttClient::tcp_received(const char* data, std::size_t n) {
  auto self = shared_from_this();
  auto gen = generation_;
  const auto* p = reinterpret_cast<const std::uint8_t*>(data);
  receive(p, n);
  if (alive(gen)) send_if_possible();
}

// mqtt_socket_received: packets may span reads (buffered up to their length) or share one;
// one larger than max_message_length goes to "overflow" with what this read holds and the rest
// of it is skipped. The firmware drops what follows a CONNACK in the same TCP segment; on the
// device the broker's next packet comes in a segment of its own (Nagle holds it until the
// CONNACK is acknowledged), while the host merges segments into one read: the emulator goes on
// with the rest, as the device goes on with the next segment (docs/mqtt.md).
void MqttClient::receive(const std::uint8_t* data, std::size_t len) {
  auto gen = generation_;
  std::vector<std::uint8_t> held;  // the buffered packet (or short prefix) being completed
  const std::uint8_t* in = data;
  std::size_t in_len = len;
  const std::uint8_t* rest = nullptr;  // after a completed buffered packet: the read's rest
  std::size_t rest_len = 0;
  switch (rx_state_) {
    case Rx::normal:
      break;
    case Rx::buffering_short:
      held = std::move(rx_pending_);
      held.insert(held.end(), data, data + len);
      rx_state_ = Rx::normal;
      in = held.data();
      in_len = held.size();
      break;
    case Rx::buffering: {
      std::size_t copy = std::min(rx_want_ - rx_pending_.size(), len);
      rx_pending_.insert(rx_pending_.end(), data, data + copy);
      if (rx_pending_.size() < rx_want_) return;
      held = std::move(rx_pending_);
      rest = data + copy;
      rest_len = len - copy;
      in = held.data();
      in_len = held.size();
      rx_state_ = Rx::normal;
      break;
    }
    case Rx::skipping:
      if (rx_skip_ > in_len) {
        rx_skip_ -= in_len;
        return;
      }
      in += rx_skip_;
      in_len -= rx_skip_;
      rx_skip_ = 0;
      rx_state_ = Rx::normal;
      break;
  }
  while (in_len > 0 && alive(gen)) {
    if (state_ == State::connect_sending || state_ == State::connect_sent) {
      std::int32_t clen = total_length(in, in_len);
      handle_connack(in, in_len);
      if (clen < 0 || static_cast<std::size_t>(clen) >= in_len) return;
      in += clen;
      in_len -= static_cast<std::size_t>(clen);
      continue;
    }
    if (state_ != State::data) return;
    std::int32_t mlen = total_length(in, in_len);
    Type type = get_type(in);
    int qos = get_qos(in);
    std::uint16_t id = get_id(in, in_len);
    bool skip = false;
    if (mlen > max_message_length) {
      if (qos > 0 && id == 0) {
        mlen = -1;  // not even the packet id is here yet: buffer what there is
      } else {
        if (type == Type::publish) {
          trace_packet("recv-overflow", std::string_view(reinterpret_cast<const char*>(in), in_len));
          deliver(in, in_len, true);
          if (!alive(gen)) return;
          ack_publish(qos, id);
        }
        if (static_cast<std::size_t>(mlen) > in_len) {
          rx_state_ = Rx::skipping;
          rx_skip_ = static_cast<std::size_t>(mlen) - in_len;
          return;
        }
        skip = true;
      }
    }
    if (!skip && (mlen < 0 || static_cast<std::size_t>(mlen) > in_len)) {
      rx_pending_.assign(in, in + in_len);
      rx_want_ = mlen > 0 ? static_cast<std::size_t>(mlen) : in_len;
      rx_state_ = mlen > 0 ? Rx::buffering : Rx::buffering_short;
      return;
    }
    if (!skip) handle_packet(in, static_cast<std::size_t>(mlen));
    if (rest != nullptr) {
      in = rest;
      in_len = rest_len;
      rest = nullptr;
    } else {
      in += mlen;
      in_len -= static_cast<std::size_t>(mlen);
    }
  }
}

void MqttClient::handle_connack(const std::uint8_t* p, std::size_t n) {
  trace_packet("recv", std::string_view(reinterpret_cast<const char*>(p), n));
  if (config_.profile <= 2)
    event_timeout_ = 0;
  else
    arm_once(info.keepalive);
  if (get_type(p) != Type::connack) {
    state_ = State::init;
    disconnect_local();
    connfail(k_fail_not_a_connack);
    return;
  }
  int code = n >= 4 ? p[3] : 0;
  if (code != k_connack_accepted) {
    state_ = State::init;
    disconnect_local();
    connfail(code);
    return;
  }
  state_ = State::data;
  keepalive_sent_ = false;
  if (config_.profile == 2 && auto_reconnect == 1) auto_reconnect = 2;
  if (auto ev = events_.lock()) ev->on_connect();
}

namespace {
// An acknowledgement the firmware matches against the head of its queue (same type and id):
// the head leaves, `reply` (if any) is queued, `event` (if any) fires. At PUBREC the firmware
// forgets the PUBLISH and then waits for PUBCOMP with the PUBREL.
struct AckRule {
  Type got, head, reply;
  void (MqttEvents::*event)();
};
constexpr Type k_none = Type{0};
constexpr AckRule k_ack_rules[] = {
    {Type::suback, Type::subscribe, k_none, &MqttEvents::on_suback},
    {Type::unsuback, Type::unsubscribe, k_none, &MqttEvents::on_unsuback},
    {Type::puback, Type::publish, k_none, &MqttEvents::on_puback},
    {Type::pubrec, Type::publish, Type::pubrel, nullptr},
    {Type::pubrel, Type::pubrec, Type::pubcomp, nullptr},
    {Type::pubcomp, Type::pubrel, k_none, &MqttEvents::on_puback},
};
}  // namespace

void MqttClient::handle_packet(const std::uint8_t* p, std::size_t n) {
  trace_packet("recv", std::string_view(reinterpret_cast<const char*>(p), n));
  Type type = get_type(p);
  std::uint16_t id = get_id(p, n);
  switch (type) {
    case Type::publish:
      ack_publish(get_qos(p), id);
      deliver(p, n, false);
      return;
    case Type::pingreq:
      queue_.push_back(Pending{Codec::bare(Type::pingresp), id, Type::pingresp, 0});
      return;
    case Type::pingresp:
      keepalive_sent_ = false;
      return;
    default:
      break;
  }
  for (const auto& rule : k_ack_rules) {
    if (rule.got != type) continue;
    if (queue_.empty() || queue_.front().type != rule.head || queue_.front().id != id) return;
    queue_.pop_front();
    if (rule.reply != k_none)
      queue_.push_back(Pending{codec_.ack(rule.reply, id), id, rule.reply, rule.reply == Type::pubrel ? 1 : 0});
    if (rule.event != nullptr)
      if (auto ev = events_.lock()) (ev.get()->*rule.event)();
    return;
  }
}

void MqttClient::ack_publish(int qos, std::uint16_t id) {
  if (qos == 1) queue_.push_back(Pending{codec_.ack(Type::puback, id), id, Type::puback, 0});
  if (qos == 2) queue_.push_back(Pending{codec_.ack(Type::pubrec, id), id, Type::pubrec, 0});
}

void MqttClient::deliver(const std::uint8_t* p, std::size_t n, bool overflow) {
  std::string_view topic, data;
  if (!publish_parts(p, n, topic, data) || topic.empty()) return;
  if (auto ev = events_.lock()) ev->on_message(overflow, topic, data.empty() ? nullptr : &data);
}

// --trace: one line per packet (type, topic of a PUBLISH, length, packet id).
void MqttClient::trace_packet(std::string_view dir, const std::string_view bytes) {
  if (!trace_.enabled() || bytes.empty()) return;
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
  Type t = get_type(p);
  std::string_view topic, data;
  if (t == Type::publish) publish_parts(p, bytes.size(), topic, data);
  if (t == Type::publish)
    trace_.emit(loop_.now(), name_, dir,
                {{"type", type_name(t)}, {"topic", topic}, {"len", bytes.size()},
                 {"id", static_cast<int>(get_id(p, bytes.size()))}, {"qos", get_qos(p)}});
  else
    trace_.emit(loop_.now(), name_, dir,
                {{"type", type_name(t)}, {"len", bytes.size()},
                 {"id", static_cast<int>(get_id(p, bytes.size()))}});
}

}  // namespace nodemcu_emu::mqtt
