// mqtt::Codec and the packet readers: the bytes the firmware's mqtt_msg.c builds, its buffer
// limit, and how it reads lengths, ids and PUBLISH parts from partial data.
#include "modules/mqtt/mqtt_codec.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace nodemcu_emu::mqtt;

namespace {
const std::uint8_t* u(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }
}  // namespace

TEST_CASE("CONNECT is MQTT 3.1.1 with the will, user and password flags the firmware sets", "[mqtt]") {
  Codec c(1460);
  // Built, not assigned: GCC 12 warns wrongly (-Wrestrict) on assigning short literals.
  const ConnectInfo info{.client_id = "dev", .username = "u", .password = "p", .will_topic = "w",
                         .will_message = "bye", .keepalive = 120, .will_qos = 1, .will_retain = true};
  std::string p = c.connect(info);
  CHECK(p.substr(0, 2) == std::string("\x10\x1d", 2));
  CHECK(p.substr(2, 7) == std::string("\0\4MQTT\4", 7));
  CHECK(static_cast<std::uint8_t>(p[9]) == (0x80 | 0x40 | 0x20 | 0x08 | 0x04 | 0x02));
  CHECK(p.substr(10, 2) == std::string("\0\x78", 2));
  CHECK(p.substr(12) == std::string("\0\3dev\0\1w\0\3bye\0\1u\0\1p", 19));
}

TEST_CASE("an empty client id builds no CONNECT (the device sends nothing)", "[mqtt]") {
  CHECK(Codec(1460).connect(ConnectInfo{}).empty());
}

TEST_CASE("a PUBLISH carries its id only with QoS > 0, and a 2-byte length past 127", "[mqtt]") {
  Codec c(1460);
  CHECK(c.publish("t", "x", 0, 1, 9) == std::string("\x31\x04\0\1tx", 6));
  CHECK(c.publish("t", "x", 1, 0, 0x0102) == std::string("\x32\x06\0\1t\1\2x", 8));
  std::string big = c.publish("t", std::string(200, 'y'), 0, 0, 0);
  CHECK(big.substr(0, 3) == std::string("\x30\xcb\x01", 3));
  CHECK(total_length(u(big), big.size()) == static_cast<std::int32_t>(big.size()));
}

TEST_CASE("a packet over the firmware's buffer (1460, 1.x 1024) is not built", "[mqtt]") {
  CHECK(!Codec(1460).publish("t", std::string(1450, 'x'), 0, 0, 0).empty());
  CHECK(Codec(1460).publish("t", std::string(1460, 'x'), 0, 0, 0).empty());
  CHECK(Codec(1024).publish("t", std::string(1100, 'x'), 0, 0, 0).empty());
  CHECK(Codec(1460).publish("", "x", 0, 0, 0).empty());
}

TEST_CASE("SUBSCRIBE lists topic and qos pairs; UNSUBSCRIBE only topics; both with QoS 1 headers", "[mqtt]") {
  Codec c(1460);
  CHECK(c.subscribe(Type::subscribe, {{"a", 0}, {"b", 2}}, 5) ==
        std::string("\x82\x0a\0\5\0\1a\0\0\1b\2", 12));
  CHECK(c.subscribe(Type::unsubscribe, {{"a", 0}}, 6) == std::string("\xa2\x05\0\6\0\1a", 7));
  CHECK(c.ack(Type::pubrel, 7) == std::string("\x62\x02\0\7", 4));
  CHECK(c.ack(Type::puback, 7) == std::string("\x40\x02\0\7", 4));
}

TEST_CASE("lengths and ids read from partial data: -1 or 0 until the bytes are there", "[mqtt]") {
  std::string p("\x32\x85\x01\0\1t\0\x2a", 8);
  CHECK(total_length(u(p), 1) == -1);
  CHECK(total_length(u(p), 2) == -1);
  CHECK(total_length(u(p), 3) == 133 + 3);
  CHECK(get_id(u(p), 6) == 0);
  CHECK(get_id(u(p), 8) == 42);
  std::string ack("\x40\x02\0\x2a", 4);
  CHECK(get_id(u(ack), 4) == 42);
}

TEST_CASE("a PUBLISH cut short gives its topic and what there is of its payload", "[mqtt]") {
  std::string p = Codec(1460).publish("topic", "payload", 0, 0, 0);
  std::string_view topic, data;
  REQUIRE(publish_parts(u(p), p.size() - 3, topic, data));
  CHECK(topic == "topic");
  CHECK(data == "payl");
  CHECK(!publish_parts(u(p), 4, topic, data));
}
