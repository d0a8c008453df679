// What net keeps per device: object ids for the trace, lwIP-like limits and their counters.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/device.hpp"

namespace nodemcu_emu::net {

class TcpServer;

struct NetState {
  explicit NetState(core::Device& d) : device(d) {}

  core::Device& device;
  int next_id = 1;
  // ESTABLISHED TCP connections, incoming and outgoing (MEMP_NUM_TCP_PCB, net.md 10).
  int established = 0;
  // Every TCP read lands here first (see TcpConnection::start_read).
  std::shared_ptr<std::vector<char>> read_buffer = std::make_shared<std::vector<char>>(16384);
  // Servers that stopped accepting because `established` reached the limit.
  std::vector<std::weak_ptr<TcpServer>> waiting_servers;

  bool tcp_full() const {
    int limit = device.options().limits.tcp;
    return limit > 0 && established >= limit;
  }
  void connection_opened() { ++established; }
  // A slot freed: servers that were ignoring SYNs accept again.
  void connection_closed();

  std::string next_name(const char* kind) { return std::string(kind) + "#" + std::to_string(next_id++); }

  // Lua-visible warnings (--strict, deprecated API, close() with unread data) go to stderr.
  static void warn(const std::string& text);
};

inline NetState& net_state(core::Device& d) { return d.module_state<NetState>(); }

}  // namespace nodemcu_emu::net
