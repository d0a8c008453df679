// The mqtt module (app/modules/mqtt.c): mqtt.Client and the mqtt.socket methods, with each
// firmware profile's argument forms, checks and error texts. The protocol is MqttClient's.
#include <cstring>

#include "core/device.hpp"
#include "core/ip/address.hpp"
#include "core/ip/dns_resolver.hpp"
#include "core/ip/lwip_errors.hpp"
#include "core/ip/tcp_stack.hpp"
#include "lua/check.hpp"
#include "lua/fields.hpp"
#include "lua/ref.hpp"
#include "lua/userdata.hpp"
#include "modules/mqtt/mqtt_client.hpp"
#include "modules/mqtt/mqtt_errors.hpp"

namespace nodemcu_emu::mqtt {

namespace {

constexpr char k_class[] = "mqtt.socket";
constexpr int k_default_keepalive = 60;
constexpr int k_default_max_message = 1024;
// "NodeMCU_" + the chip id in hex (node.chipid() is 0xA1B2C3 in the emulator).
constexpr char k_default_client_id[] = "NodeMCU_a1b2c3";

struct ModuleState {
  explicit ModuleState(core::Device&) {}
  int next_id = 1;
};

enum Cb { cb_connect, cb_connfail, cb_offline, cb_message, cb_overflow, cb_puback, cb_suback,
          cb_unsuback, cb_count };

// The userdata's object: the Lua side of one client (callback slots, the self reference the
// firmware keeps while connecting or connected) and the events of its MqttClient.
class Object : public MqttEvents, public std::enable_shared_from_this<Object> {
 public:
  explicit Object(core::Device& d) : device(d) {
    auto& st = d.module_state<ModuleState>();
    client = std::make_shared<MqttClient>(
        d.loop(), d.trace(), core::ObjectName{"mqtt", static_cast<std::uint32_t>(st.next_id++)},
        MqttClient::Config{d.options().firmware, d.options().frame_size,
                           [&d](bool taken) { net::tcp_stack(d).slot(taken); }});
    d.native_created();
  }
  ~Object() override { device.native_destroyed(); }

  int profile() const { return device.options().firmware; }

  void on_connect() override {
    // 2.x forgets the failure callback once connected (it came with :connect).
    if (profile() == 2) cbs[cb_connfail].reset();
    fire(cb_connect);
  }
  void on_connfail(int code) override {
    fire(cb_connfail, [code](lua_State* L) {
      lua_pushinteger(L, code);
      return 1;
    });
  }
  void on_closed(bool offline, bool release) override {
    // The firmware drops its self reference before the "offline" call (which already has the
    // userdata): a :connect() inside it anchors the client again.
    lua::Ref self = release ? std::move(anchor) : lua::Ref();
    if (release) keep.reset();
    if (offline) fire(cb_offline, {}, self ? self : anchor);
  }
  void on_message(bool overflow, std::string_view topic, const std::string_view* data) override {
    fire(overflow ? cb_overflow : cb_message, [topic, data](lua_State* L) {
      lua_pushlstring(L, topic.data(), topic.size());
      if (data == nullptr) return 1;
      lua_pushlstring(L, data->data(), data->size());
      return 2;
    });
  }
  void on_puback() override { fire(cb_puback); }
  void on_suback() override { fire(cb_suback); }
  void on_unsuback() override { fire(cb_unsuback); }

  void fire(Cb cb, core::Device::PushArgs args = {}, const lua::Ref& self_ref = lua::Ref()) {
    const lua::Ref& self = self_ref ? self_ref : anchor;
    if (!self || !cbs[cb]) return;
    auto keep_me = shared_from_this();  // a callback may drop the last reference
    device.dispatch(cbs[cb], core::Protection::unprotected, [&self, args](lua_State* L) {
      self.push(L);
      return 1 + (args ? args(L) : 0);
    });
  }

  // After :connect's checks: resolve `host` then connect (or fail with CONN_FAIL_DNS).
  void start(const std::string& host, std::uint16_t port) {
    keep = device.loop().keep_alive();
    client->attach(weak_from_this());
    std::uint64_t attempt = ++attempts;
    std::uint32_t ip = 0;
    std::weak_ptr<Object> weak = weak_from_this();
    int err = net::dns_resolver(device).lookup(host, ip, [weak, attempt, port](std::optional<std::uint32_t> a) {
      auto self = weak.lock();
      if (!self || self->attempts != attempt) return;
      self->resolved(a, port);
    });
    if (err == net::k_ok)
      resolved(ip, port);
    else if (err != net::k_err_inprogress)
      resolved(std::nullopt, port);
  }
  void resolved(std::optional<std::uint32_t> ip, std::uint16_t port) {
    if (ip && *ip != 0 && *ip != 0xFFFFFFFFu)
      client->connect(net::connect_target(device, *ip, port), net::bind_address(device));
    else
      client->dns_failed();
  }

  void collected() {
    ++attempts;
    client->abandon();
    keep.reset();
    anchor.reset();
    for (auto& c : cbs) c.reset();
  }

  core::Device& device;
  std::shared_ptr<MqttClient> client;
  lua::Ref cbs[cb_count];
  lua::Ref anchor;
  core::EventLoop::KeepAlive keep;
  std::uint64_t attempts = 0;
};

struct Handle {
  std::shared_ptr<Object> object;
  explicit Handle(std::shared_ptr<Object> o) : object(std::move(o)) {}
  ~Handle() {
    if (object) object->collected();
  }
};

Object& check(lua_State* L) {
  return *static_cast<Handle*>(luaL_checkudata(L, 1, k_class))->object;
}

bool is_function(lua_State* L, int i) { return lua_type(L, i) == LUA_TFUNCTION; }

void set_cb(lua_State* L, Object& o, Cb cb, int index) { o.cbs[cb] = lua::Ref(L, index); }

// --- mqtt.Client(clientid, keepalive[, user, pass[, cleansession[, max_message_length]]]) ---

// Each argument is taken when it has the expected type, else the next one is tried at the same
// position (as mqtt.c's `stack` index does): Client(120) is a default id with keepalive 120.
int client_new(lua_State* L) {
  auto* h = lua::new_userdata_from<Handle>(L, k_class, [L] {
    return std::make_shared<Object>(core::Device::from(L));
  });
  auto& o = *h->object;
  auto& c = *o.client;
  int profile = o.profile();
  int i = 1;
  if (lua_isstring(L, i)) c.info.client_id = lua_tostring(L, i++);
  else c.info.client_id = k_default_client_id;
  lua_Integer keepalive = 0;
  if (lua_isnumber(L, i)) keepalive = luaL_checkinteger(L, i++);
  c.info.keepalive = keepalive == 0 ? k_default_keepalive : static_cast<int>(keepalive & 0xFFFF);
  if (lua_isstring(L, i)) c.info.username = lua_tostring(L, i++);
  if (lua_isstring(L, i)) c.info.password = lua_tostring(L, i++);
  // 3.x starts from a zeroed struct: without the argument the session is not clean.
  c.info.clean_session = profile != 3;
  if (lua_isnumber(L, i)) c.info.clean_session = luaL_checkinteger(L, i++) != 0;
  c.max_message_length = k_default_max_message;
  if (profile >= 2 && lua_isnumber(L, i)) {
    lua_Integer m = luaL_checkinteger(L, i++) & 0xFFFF;
    if (m != 0) c.max_message_length = static_cast<std::uint16_t>(m);
  }
  return 1;
}

// --- client:connect(host[, port[, secure[, autoreconnect]]][, conn_cb[, fail_cb]]) ---

int m_connect(lua_State* L) {
  auto& o = check(L);
  auto& c = *o.client;
  int profile = o.profile();
  int top = lua_gettop(L);
  if (c.connected()) return luaL_error(L, "%s", err::k_already_connected);
  int i = 2;
  // Without a host the firmware reads an uninitialised pointer; here it is an argument error.
  size_t host_len = 0;
  const char* host = luaL_checklstring(L, i++, &host_len);
  lua_Integer port = 1883;
  if (i <= top && lua_isnumber(L, i)) port = lua_tointeger(L, i++);
  bool secure = false;
  if (profile == 3) {
    if (i <= top && (lua_isnumber(L, i) || lua_isboolean(L, i))) {
      if (lua_isnumber(L, i)) {
        o.device.console().deprecation_note("mqtt.connect secure parameter as integer", "in the future");
        secure = lua_tointeger(L, i) != 0;
      } else {
        secure = lua_toboolean(L, i) != 0;
      }
      ++i;
    }
  } else if (i <= top && lua_isnumber(L, i)) {
    secure = lua_tointeger(L, i++) == 1;
  }
  if (secure) return luaL_error(L, "%s", err::k_ssl);
  int auto_reconnect = 0;
  if (profile <= 2 && i <= top && lua_isnumber(L, i)) {
    if (profile == 2) o.device.console().deprecation_note("autoreconnect is deprecated");
    lua_Integer a = lua_tointeger(L, i++);
    auto_reconnect = (a == 1) ? 1 : 0;
  }
  if (i <= top && is_function(L, i)) set_cb(L, o, cb_connect, i);
  ++i;
  if (i <= top && is_function(L, i)) set_cb(L, o, cb_connfail, i);
  o.anchor = lua::Ref(L, 1);
  c.auto_reconnect = auto_reconnect;
  o.start(std::string(host, host_len), static_cast<std::uint16_t>(port & 0xFFFF));
  if (profile == 3) return 0;
  lua_pushboolean(L, 1);
  return 1;
}

// --- client:close() ---

int m_close(lua_State* L) {
  auto& o = check(L);
  bool ok = o.client->close();
  if (o.profile() == 3) return 0;
  lua_pushboolean(L, ok);
  return 1;
}

// --- client:on(event, fn) ---

int m_on(lua_State* L) {
  auto& o = check(L);
  if (o.profile() == 3) {
    static const char* const names[] = {"connect", "connfail", "offline", "message", "overflow",
                                        "puback",  "suback",   "unsuback", nullptr};
    static const Cb cbs[] = {cb_connect, cb_connfail, cb_offline, cb_message,
                             cb_overflow, cb_puback, cb_suback, cb_unsuback};
    luaL_checktype(L, 3, LUA_TFUNCTION);
    set_cb(L, o, cbs[luaL_checkoption(L, 2, nullptr, names)], 3);
    return 0;
  }
  const char* name = luaL_checkstring(L, 2);
  lua::check_any_function(L, 3);  // mqtt.c@2.2.1, @1.5.4.1: luaL_checkanyfunction
  Cb cb = cb_count;
  if (std::strcmp(name, "connect") == 0) cb = cb_connect;
  else if (std::strcmp(name, "offline") == 0) cb = cb_offline;
  else if (std::strcmp(name, "message") == 0) cb = cb_message;
  else if (o.profile() == 2 && std::strcmp(name, "overflow") == 0) cb = cb_overflow;
  if (cb == cb_count) return luaL_error(L, "%s", err::k_method);
  set_cb(L, o, cb, 3);
  return 0;
}

// 1.x/2.x answer false before any connect (no connection object yet); all raise while the
// TCP connection is not up.
bool usable(lua_State* L, Object& o) {
  if (o.profile() <= 2 && !o.client->has_connection()) return false;
  if (!o.client->connected()) luaL_error(L, "%s", err::k_not_connected);
  return true;
}

// --- client:publish(topic, payload, qos, retain[, cb]) ---

bool publish_now(Object& o, const char* topic, std::size_t tl, const char* data, std::size_t dl,
                 int qos, int retain) {
  auto& c = *o.client;
  std::uint16_t id = qos != 0 ? c.next_id() : 0;
  std::string bytes = c.codec().publish(std::string_view(topic, tl), std::string_view(data, dl),
                                        qos, retain, id);
  return c.enqueue_and_send(std::move(bytes), id, Type::publish, qos);
}

int m_publish(lua_State* L) {
  auto& o = check(L);
  if (!usable(L, o)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  size_t tl = 0, dl = 0;
  const char* topic = luaL_checklstring(L, 2, &tl);
  const char* data = luaL_checklstring(L, 3, &dl);
  int qos = static_cast<std::uint8_t>(luaL_checkinteger(L, 4));
  int retain = static_cast<std::uint8_t>(luaL_checkinteger(L, 5));
  if (is_function(L, 6)) set_cb(L, o, cb_puback, 6);
  lua_pushboolean(L, publish_now(o, topic, std::strlen(topic) < tl ? std::strlen(topic) : tl,
                                 data, dl, qos, retain));
  return 1;
}

// --- client:subscribe(topic, qos[, cb]) / ({topic = qos, ...}[, cb]); unsubscribe ---

// First pass over a topic table, raising as the firmware does (nothing owning is alive here):
// the number of topics; `overflow` when the packet would not fit the firmware's buffer.
int check_topic_table(lua_State* L, bool with_qos, std::size_t limit, bool& overflow) {
  int count = 0;
  std::size_t size = 5;  // the fixed header the firmware reserves, and the packet id
  overflow = false;
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    // luaL_checkstring would turn a number key into a string in place, and `next` then fails.
    if (lua_type(L, -2) == LUA_TNUMBER) luaL_error(L, "invalid key to 'next'");
    std::size_t len = 0;
    luaL_checklstring(L, -2, &len);
    if (with_qos) luaL_checkinteger(L, -1);
    ++count;
    size += 2 + len + (with_qos ? 1 : 0);
    lua_pop(L, 1);
    if (len == 0 || size > limit) {
      lua_pop(L, 1);
      overflow = true;
      break;
    }
  }
  return count;
}

bool subscribe_table(lua_State* L, Object& o, Type type) {
  std::vector<std::pair<std::string, int>> topics;
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    topics.emplace_back(lua_tostring(L, -2), type == Type::subscribe ? static_cast<int>(lua_tointeger(L, -1)) : 0);
    lua_pop(L, 1);
  }
  auto& c = *o.client;
  std::uint16_t id = c.next_id();
  return c.enqueue_and_send(c.codec().subscribe(type, topics, id), id, type, 1);
}

bool subscribe_one(Object& o, Type type, const char* topic, int qos) {
  auto& c = *o.client;
  std::uint16_t id = c.next_id();
  return c.enqueue_and_send(c.codec().subscribe(type, {{topic, qos}}, id), id, type, 1);
}

int subscribe_or_unsubscribe(lua_State* L, Type type) {
  auto& o = check(L);
  bool sub = type == Type::subscribe;
  if (!usable(L, o)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  int cb_index;
  bool ok;
  if (lua_istable(L, 2)) {
    bool overflow = false;
    int n = check_topic_table(L, sub, o.profile() == 1 ? 1024 : 1460, overflow);
    if (n == 0) return luaL_error(L, "%s", err::k_no_topics);
    if (overflow) return luaL_error(L, "%s", sub ? err::k_sub_overflow : err::k_unsub_overflow);
    cb_index = 3;
    if (is_function(L, cb_index)) set_cb(L, o, sub ? cb_suback : cb_unsuback, cb_index);
    ok = subscribe_table(L, o, type);
  } else {
    const char* topic = luaL_checkstring(L, 2);
    int qos = sub ? static_cast<std::uint8_t>(luaL_checkinteger(L, 3)) : 0;
    cb_index = sub ? 4 : 3;
    if (is_function(L, cb_index)) set_cb(L, o, sub ? cb_suback : cb_unsuback, cb_index);
    ok = subscribe_one(o, type, topic, qos);
  }
  lua_pushboolean(L, ok);
  return 1;
}

int m_subscribe(lua_State* L) { return subscribe_or_unsubscribe(L, Type::subscribe); }
int m_unsubscribe(lua_State* L) { return subscribe_or_unsubscribe(L, Type::unsubscribe); }

// --- client:lwt(topic, message[, qos[, retain]]) ---

int m_lwt(lua_State* L) {
  auto& o = check(L);
  auto& info = o.client->info;
  if (o.profile() == 3) {
    luaL_argcheck(L, lua_isstring(L, 2), 2, err::k_need_lwt_topic);
    luaL_argcheck(L, lua_isstring(L, 3), 3, err::k_need_lwt_message);
  } else {
    luaL_checkstring(L, 2);
    luaL_checkstring(L, 3);
  }
  // Kept as C strings on the device (strlen decides their length).
  info.will_topic = lua_tostring(L, 2);
  info.will_message = lua_tostring(L, 3);
  int i = 4;
  if (lua_isnumber(L, i)) info.will_qos = static_cast<int>(lua_tointeger(L, i++)) & 3;
  if (lua_isnumber(L, i)) info.will_retain = lua_tointeger(L, i++) != 0;
  return 0;
}

}  // namespace
}  // namespace nodemcu_emu::mqtt

namespace nodemcu_emu::modules {

int open_mqtt(lua_State* L) {
  using namespace mqtt;
  static const luaL_Reg methods[] = {
      {"connect", m_connect},   {"close", m_close},         {"publish", m_publish},
      {"subscribe", m_subscribe}, {"unsubscribe", m_unsubscribe}, {"lwt", m_lwt},
      {"on", m_on},             {"__gc", lua::destroy_userdata<Handle>},             {nullptr, nullptr}};
  lua::new_class(L, k_class, methods);
  lua_newtable(L);
  lua_pushcfunction(L, client_new);
  lua_setfield(L, -2, "Client");
  lua::set_constants(L, {{"CONN_FAIL_SERVER_NOT_FOUND", k_fail_server_not_found},
                         {"CONN_FAIL_NOT_A_CONNACK_MSG", k_fail_not_a_connack},
                         {"CONN_FAIL_DNS", k_fail_dns},
                         {"CONN_FAIL_TIMEOUT_RECEIVING", k_fail_timeout_receiving},
                         {"CONN_FAIL_TIMEOUT_SENDING", k_fail_timeout_sending},
                         {"CONNACK_ACCEPTED", 0},
                         {"CONNACK_REFUSED_PROTOCOL_VER", 1},
                         {"CONNACK_REFUSED_ID_REJECTED", 2},
                         {"CONNACK_REFUSED_SERVER_UNAVAILABLE", 3},
                         {"CONNACK_REFUSED_BAD_USER_OR_PASS", 4},
                         {"CONNACK_REFUSED_NOT_AUTHORIZED", 5}});
  return 1;
}

}  // namespace nodemcu_emu::modules
