// core/ip: what the device's TCP stack keeps across modules. Every TCP connection the device
// makes (net sockets, the mqtt client) takes one of lwIP's MEMP_NUM_TCP_PCB slots while
// established (net.md 10): the count lives here so that a module's connections count against
// the same limit as another's, and a freed slot wakes whichever server was waiting for one.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "core/device.hpp"
#include "core/ip/tcp_connection.hpp"

namespace nodemcu_emu::net {

struct TcpStack {
  explicit TcpStack(core::Device& d) : device(d) {}

  core::Device& device;
  // ESTABLISHED TCP connections, incoming and outgoing.
  int established = 0;
  // Called once when a slot frees (servers that stopped accepting at the limit); each waiter
  // re-registers if it still cannot go on.
  std::vector<std::function<void()>> waiting;

  bool full() const {
    int limit = device.options().limits.tcp;
    return limit > 0 && established >= limit;
  }
  // A TcpSession's on_slot(taken) goes here.
  void slot(bool taken) {
    if (taken) {
      ++established;
      return;
    }
    --established;
    auto w = std::move(waiting);
    waiting.clear();
    for (auto& f : w) f();
  }
};

inline TcpStack& tcp_stack(core::Device& d) { return d.module_state<TcpStack>(); }

}  // namespace nodemcu_emu::net
