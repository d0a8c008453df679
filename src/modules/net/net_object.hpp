// What every net userdata shares: a Handle holding the native object, the self check with the
// firmware's "invalid user data", and callback slots named as net.c names them.
#pragma once

#include <array>
#include <cstring>
#include <memory>

#include "lua/ref.hpp"
#include "lua/userdata.hpp"

namespace nodemcu_emu::net {

// Arrays, not pointers: the names are template arguments of the method trampoline below.
inline constexpr char k_tcpsocket_class[] = "net.tcpsocket";
inline constexpr char k_tcpserver_class[] = "net.tcpserver";
inline constexpr char k_udpsocket_class[] = "net.udpsocket";

// The userdata: one shared reference to the native object; pending Asio handlers hold others.
// When Lua collects it, the object is told (it aborts what is still open, releases its refs).
template <class T>
struct Handle {
  std::shared_ptr<T> object;
  explicit Handle(std::shared_ptr<T> o) : object(std::move(o)) {}
  ~Handle() {
    if (object) object->collected();
  }
};

// The native object behind arg 1 if it has that class, else raises "invalid user data".
template <class T>
T& check_object(lua_State* L, const char* cls) {
  auto* h = lua::test_userdata<Handle<T>>(L, 1, cls);
  if (h == nullptr || !h->object) luaL_error(L, "invalid user data");
  return *h->object;
}

namespace detail {
template <class M>
struct MethodOf;
template <class T>
struct MethodOf<int (T::*)(lua_State*)> {
  using Object = T;
};
}  // namespace detail

// The one trampoline from Lua to an object's methods (luv's check_tcp + call): the
// lua_CFunction for `Method` of the objects of metatable `Class`. Arg 1 must be such an object
// ("invalid user data" otherwise, as net.c's checks say); the member does the rest. Used as
// {"send", method<k_tcpsocket_class, &TcpSocket::send>} in a class's luaL_Reg table.
template <const char* Class, auto Method>
int method(lua_State* L) {
  using T = typename detail::MethodOf<decltype(Method)>::Object;
  // new_class gives the methods their metatable as upvalue 1: one comparison, no lookup.
  if (lua::class_upvalue_is(L, 1)) {
    auto* h = static_cast<Handle<T>*>(lua_touserdata(L, 1));
    if (h->object) return (h->object.get()->*Method)(L);
  }
  return (check_object<T>(L, Class).*Method)(L);
}

// __tostring of the same objects: "<class>: <name>" (net.tcpsocket: tcp#3).
template <const char* Class, class T>
int to_string(lua_State* L) {
  lua_pushfstring(L, "%s: %s", Class, check_object<T>(L, Class).name().c_str());
  return 1;
}

// Callback slots of a socket, indexed by event.
enum class Event { connection, reconnection, disconnection, receive, sent, dns, count };

struct EventName {
  const char* name;
  Event event;
};
constexpr EventName k_tcp_events[] = {
    {"connection", Event::connection}, {"reconnection", Event::reconnection},
    {"disconnection", Event::disconnection}, {"receive", Event::receive},
    {"sent", Event::sent}, {"dns", Event::dns}};
constexpr EventName k_udp_events[] = {
    {"receive", Event::receive}, {"sent", Event::sent}, {"dns", Event::dns}};

// A socket's handlers, one registry reference per event that has one, and `Pins` more
// references (the anchors that keep its userdata alive), all in one lua::RefArray.
template <std::size_t Pins = 0>
class Callbacks {
 public:
  bool has(Event e) const { return refs_.has(index(e)); }
  // Pushes the handler (nil when none); returns whether there was one.
  bool push(lua_State* L, Event e) const { return refs_.push(L, index(e)); }
  // The handler becomes the value at `index` (may raise: out of memory, nothing changed then).
  void set(lua_State* L, Event e, int value_index) { refs_.set(L, index(e), value_index); }
  void reset(Event e) { refs_.reset(index(e)); }

  // Pin p: the same for the anchors.
  bool pinned(std::size_t p) const { return refs_.has(pin_index(p)); }
  bool push_pin(lua_State* L, std::size_t p) const { return refs_.push(L, pin_index(p)); }
  void pin(lua_State* L, std::size_t p, int value_index) { refs_.set(L, pin_index(p), value_index); }
  void unpin(std::size_t p) { refs_.reset(pin_index(p)); }
  // The pin moves into a Ref (released when that goes).
  lua::Ref take_pin(std::size_t p) { return refs_.take(pin_index(p)); }

  void reset_all() { refs_.reset_all(); }

 private:
  static constexpr std::size_t k_events = static_cast<std::size_t>(Event::count);
  static constexpr std::size_t index(Event e) { return static_cast<std::size_t>(e); }
  static constexpr std::size_t pin_index(std::size_t p) { return k_events + p; }
  lua::RefArray<k_events + Pins> refs_;
};

// sck:on(event, fn|nil) for any socket kind (net.c net_on): arg 2 names the event, arg 3 is the
// handler or nil. `names` lists the events this kind accepts.
template <std::size_t N, std::size_t Pins>
int set_callback(lua_State* L, Callbacks<Pins>& cbs, const EventName (&names)[N]) {
  const char* name = luaL_checkstring(L, 2);
  const EventName* found = nullptr;
  for (const auto& n : names)
    if (n.name[0] == name[0] && std::strcmp(n.name, name) == 0) found = &n;
  if (found == nullptr) return luaL_error(L, "invalid callback name");
  if (lua_isfunction(L, 3))
    cbs.set(L, found->event, 3);
  else if (lua_isnoneornil(L, 3))
    cbs.reset(found->event);
  else
    return luaL_error(L, "invalid callback function");
  return 0;
}

}  // namespace nodemcu_emu::net
