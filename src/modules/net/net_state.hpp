// What net keeps per device: object ids for the trace, lwIP-like limits and their counters.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/device.hpp"

namespace nodemcu_emu::net {

struct NetState {
  explicit NetState(core::Device& d) : device(d) {}

  core::Device& device;
  int next_id = 1;
  // (The established-connection count, shared with mqtt, is core/ip/tcp_stack.hpp.)

  std::string next_name(const char* kind) { return next_object_name(kind).text(); }
  core::ObjectName next_object_name(const char* kind) {
    return {kind, static_cast<std::uint32_t>(next_id++)};
  }

  // Lua-visible warnings (--strict, deprecated API, close() with unread data) go to stderr.
  static void warn(const std::string& text);
};

inline NetState& net_state(core::Device& d) { return d.module_state<NetState>(); }

}  // namespace nodemcu_emu::net
