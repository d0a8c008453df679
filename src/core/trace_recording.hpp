// emu.trace(): the trace's events kept in memory for a test to assert on, the same events
// --trace prints (socket, timer, bus events), recorded whether or not --trace is on.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/trace.hpp"

namespace nodemcu_emu::core {

class TraceRecording final : public Trace::Sink {
 public:
  struct Event {
    Micros t;
    std::string subject;  // "tcp#3", "srv#1", "udp#2", "tmr#1", "lua"
    std::string event;    // "accept", "recv", "sent", ...
    std::vector<std::pair<std::string, std::variant<long long, std::string>>> fields;
  };
  // Which subjects to keep (all when empty).
  using Filter = std::function<bool(std::string_view subject)>;

  explicit TraceRecording(Trace& trace, Filter filter = {});
  ~TraceRecording() override { stop(); }
  TraceRecording(const TraceRecording&) = delete;
  TraceRecording& operator=(const TraceRecording&) = delete;

  // No more events are kept (those recorded stay).
  void stop();
  bool recording() const { return trace_ != nullptr; }
  const std::vector<Event>& events() const { return events_; }
  void clear() { events_.clear(); }

  void on_event(Micros t, std::string_view subject, std::string_view event,
                std::initializer_list<Trace::Field> fields) override;

 private:
  Trace* trace_;
  Filter filter_;
  std::vector<Event> events_;
};

}  // namespace nodemcu_emu::core
