#include "modules/mqtt/mqtt_codec.hpp"

namespace nodemcu_emu::mqtt {

namespace {
void put_string(std::string& out, std::string_view s) {
  out += static_cast<char>((s.size() >> 8) & 0xFF);
  out += static_cast<char>(s.size() & 0xFF);
  out.append(s);
}
void put_id(std::string& out, std::uint16_t id) {
  out += static_cast<char>(id >> 8);
  out += static_cast<char>(id & 0xFF);
}
// Where the variable header starts: after the type byte and the remaining-length bytes.
std::size_t header_end(const std::uint8_t* p, std::size_t n) {
  std::size_t i = 1;
  for (; i < n; ++i)
    if ((p[i] & 0x80) == 0) return i + 1;
  return i;
}
}  // namespace

const char* type_name(Type t) {
  static const char* const names[] = {"?",      "CONNECT", "CONNACK",  "PUBLISH",  "PUBACK",
                                      "PUBREC", "PUBREL",  "PUBCOMP",  "SUBSCRIBE", "SUBACK",
                                      "UNSUBSCRIBE", "UNSUBACK", "PINGREQ", "PINGRESP",
                                      "DISCONNECT", "?"};
  return names[static_cast<unsigned>(t) & 15];
}

// The firmware reserves 3 bytes for the fixed header and writes a 1- or 2-byte remaining
// length: everything it builds fits the buffer, so 2 bytes always suffice.
std::string Codec::finish(std::string body, Type t, int dup, int qos, int retain) const {
  if (body.size() + 3 > limit_) return {};
  std::string out;
  out.reserve(body.size() + 3);
  out += static_cast<char>((static_cast<int>(t) << 4) | ((dup & 1) << 3) | ((qos & 3) << 1) |
                           (retain & 1));
  if (body.size() > 127) {
    out += static_cast<char>(0x80 | (body.size() % 128));
    out += static_cast<char>(body.size() / 128);
  } else {
    out += static_cast<char>(body.size());
  }
  return out + body;
}

std::string Codec::connect(const ConnectInfo& info) const {
  // An empty client id builds nothing on the device (mqtt_msg_connect fails).
  if (info.client_id.empty()) return {};
  std::string b("\0\4MQTT\4", 7);
  std::uint8_t flags = info.clean_session ? 0x02 : 0;
  if (!info.will_topic.empty()) flags |= 0x04 | ((info.will_qos & 3) << 3) | (info.will_retain ? 0x20 : 0);
  if (!info.username.empty()) flags |= 0x80;
  if (!info.password.empty()) flags |= 0x40;
  b += static_cast<char>(flags);
  put_id(b, static_cast<std::uint16_t>(info.keepalive));
  put_string(b, info.client_id);
  if (!info.will_topic.empty()) {
    put_string(b, info.will_topic);
    put_string(b, info.will_message);
  }
  if (!info.username.empty()) put_string(b, info.username);
  if (!info.password.empty()) put_string(b, info.password);
  return finish(std::move(b), Type::connect, 0, 0, 0);
}

std::string Codec::publish(std::string_view topic, std::string_view data, int qos, int retain,
                           std::uint16_t id) const {
  if (topic.empty()) return {};
  std::string b;
  put_string(b, topic);
  if (qos > 0) put_id(b, id);
  b.append(data);
  return finish(std::move(b), Type::publish, 0, qos, retain);
}

std::string Codec::ack(Type t, std::uint16_t id) const {
  std::string b;
  put_id(b, id);
  return finish(std::move(b), t, 0, t == Type::pubrel ? 1 : 0, 0);
}

std::string Codec::subscribe(Type t, const std::vector<std::pair<std::string, int>>& topics,
                             std::uint16_t id) const {
  std::string b;
  put_id(b, id);
  for (const auto& [topic, qos] : topics) {
    if (topic.empty()) return {};
    put_string(b, topic);
    if (t == Type::subscribe) b += static_cast<char>(qos);
    if (b.size() + 3 > limit_) return {};
  }
  return finish(std::move(b), t, 0, 1, 0);
}

std::string Codec::bare(Type t) {
  return std::string{static_cast<char>(static_cast<int>(t) << 4), '\0'};
}

std::int32_t total_length(const std::uint8_t* p, std::size_t n) {
  if (n <= 1) return -1;
  std::int32_t len = 0;
  std::size_t i = 1;
  for (; i < n; ++i) {
    len += static_cast<std::int32_t>(p[i] & 0x7f) << (7 * (i - 1));
    if ((p[i] & 0x80) == 0) {
      ++i;
      break;
    }
    if (i + 1 == n) return -1;
    if (i >= 4) return -1;  // a fifth length byte: malformed, wait (the broker never sends it)
  }
  return len + static_cast<std::int32_t>(i);
}

std::uint16_t get_id(const std::uint8_t* p, std::size_t n) {
  if (n < 1) return 0;
  switch (get_type(p)) {
    case Type::publish: {
      if (get_qos(p) == 0) return 0;
      std::size_t i = header_end(p, n);
      if (i + 2 > n) return 0;
      std::size_t tl = (p[i] << 8) | p[i + 1];
      i += 2 + tl;
      if (i + 2 > n) return 0;
      return static_cast<std::uint16_t>((p[i] << 8) | p[i + 1]);
    }
    case Type::puback: case Type::pubrec: case Type::pubrel: case Type::pubcomp:
    case Type::suback: case Type::unsuback: case Type::subscribe:
      // The firmware reads the id only after a 1-byte remaining length.
      if (n >= 4 && (p[1] & 0x80) == 0) return static_cast<std::uint16_t>((p[2] << 8) | p[3]);
      return 0;
    default:
      return 0;
  }
}

bool publish_parts(const std::uint8_t* p, std::size_t n, std::string_view& topic,
                   std::string_view& data) {
  std::int32_t total = total_length(p, n);
  std::size_t i = header_end(p, n);
  if (i + 2 > n) return false;
  std::size_t tl = (p[i] << 8) | p[i + 1];
  i += 2;
  if (i + tl > n) return false;
  topic = std::string_view(reinterpret_cast<const char*>(p + i), tl);
  i += tl;
  data = {};
  if (get_qos(p) > 0) {
    if (i + 2 > n) return true;
    i += 2;
  }
  if (total < 0 || static_cast<std::size_t>(total) < i) return true;
  std::size_t end = std::min<std::size_t>(static_cast<std::size_t>(total), n);
  data = std::string_view(reinterpret_cast<const char*>(p + i), end - i);
  return true;
}

}  // namespace nodemcu_emu::mqtt
