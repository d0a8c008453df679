// MQTT 3.1.1 packets as the firmware's app/mqtt/mqtt_msg.c builds and reads them: built into a
// buffer of the firmware's size (1460 bytes, 1024 under 1.5.4.1); a packet that does not fit
// comes back empty, which the module turns into `false` or an error, as the device does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nodemcu_emu::mqtt {

enum class Type : std::uint8_t {
  connect = 1, connack, publish, puback, pubrec, pubrel, pubcomp,
  subscribe, suback, unsubscribe, unsuback, pingreq, pingresp, disconnect
};
const char* type_name(Type t);

// mqtt.CONN_FAIL_* and CONNACK_* (mqtt_msg.h).
enum ConnCode : int {
  k_fail_server_not_found = -5,
  k_fail_not_a_connack = -4,
  k_fail_dns = -3,
  k_fail_timeout_receiving = -2,
  k_fail_timeout_sending = -1,
  k_connack_accepted = 0,
};

struct ConnectInfo {
  std::string client_id, username, password, will_topic, will_message;
  int keepalive = 60;
  int will_qos = 0;
  bool will_retain = false;
  bool clean_session = true;
};

class Codec {
 public:
  explicit Codec(std::size_t buffer_size) : limit_(buffer_size) {}

  std::string connect(const ConnectInfo& info) const;
  std::string publish(std::string_view topic, std::string_view data, int qos, int retain,
                      std::uint16_t id) const;
  // PUBACK, PUBREC, PUBREL (qos 1 in its header), PUBCOMP.
  std::string ack(Type t, std::uint16_t id) const;
  // SUBSCRIBE (topic, qos pairs) or UNSUBSCRIBE (qos ignored); empty list or too long: "".
  std::string subscribe(Type t, const std::vector<std::pair<std::string, int>>& topics,
                        std::uint16_t id) const;
  static std::string bare(Type t);  // PINGREQ, PINGRESP, DISCONNECT

 private:
  std::string finish(std::string body, Type t, int dup, int qos, int retain) const;
  std::size_t limit_;
};

// Reading a received packet (mqtt_get_*): `p` holds `n` bytes from its first.
inline Type get_type(const std::uint8_t* p) { return static_cast<Type>(p[0] >> 4); }
inline int get_qos(const std::uint8_t* p) { return (p[0] >> 1) & 3; }
// The whole packet's length, or -1 while the length bytes are not all there.
std::int32_t total_length(const std::uint8_t* p, std::size_t n);
// The packet id of a PUBLISH (qos > 0) or an ack; 0 when absent or not yet received.
std::uint16_t get_id(const std::uint8_t* p, std::size_t n);
// A PUBLISH's topic and payload within the first `n` bytes (payload may be cut short).
bool publish_parts(const std::uint8_t* p, std::size_t n, std::string_view& topic,
                   std::string_view& data);

}  // namespace nodemcu_emu::mqtt
