// --trace: one line per socket/timer event, stamped with the Clock, as text or JSON lines.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/clock.hpp"

namespace nodemcu_emu::core {

// An object's name in the trace and in tostring(): "<kind>#<id>" (tcp#3), kept as its two
// parts — 12 bytes where a std::string takes 32, and a thousand idle connections keep one each.
struct ObjectName {
  const char* kind = "";  // a string literal
  std::uint32_t id = 0;

  std::string text() const { return std::string(kind) + "#" + std::to_string(id); }
  // The text in `buf`, for a trace line (no allocation).
  std::string_view format(char (&buf)[32]) const {
    int n = std::snprintf(buf, sizeof buf, "%s#%u", kind, static_cast<unsigned>(id));
    return {buf, n < 0 ? 0 : std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1)};
  }
};

class Trace {
 public:
  struct Field {
    std::string_view key;
    std::variant<long long, std::string_view> value;
    Field(std::string_view k, long long v) : key(k), value(v) {}
    Field(std::string_view k, int v) : key(k), value(static_cast<long long>(v)) {}
    Field(std::string_view k, std::size_t v) : key(k), value(static_cast<long long>(v)) {}
    Field(std::string_view k, std::string_view v) : key(k), value(v) {}
    Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
    Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  };

  // Hears every event, whether or not the trace is printed (emu.trace() records them for a
  // test: core/trace_recording.hpp). It must not emit, add or remove sinks from on_event.
  class Sink {
   public:
    virtual ~Sink() = default;
    virtual void on_event(Micros t, std::string_view subject, std::string_view event,
                          std::initializer_list<Field> fields) = 0;
  };

  Trace() = default;
  ~Trace();
  Trace(const Trace&) = delete;
  Trace& operator=(const Trace&) = delete;

  // file empty: stderr. Returns false (and stays off) when the file cannot be opened.
  bool open(const std::string& file, bool json);
  // Whether anything hears the events: callers skip formatting their fields otherwise.
  bool enabled() const { return out_ != nullptr || !sinks_.empty(); }
  // A sink hears events from now until it is removed (before it dies).
  void add_sink(Sink* sink) { sinks_.push_back(sink); }
  void remove_sink(Sink* sink) { std::erase(sinks_, sink); }

  // `subject` names the object ("tcp#3", "srv#1", "tmr#2"), `event` what happened.
  void emit(Micros t, std::string_view subject, std::string_view event,
            std::initializer_list<Field> fields = {});

 private:
  std::FILE* out_ = nullptr;
  bool owns_ = false;
  bool json_ = false;
  std::vector<Sink*> sinks_;
};

}  // namespace nodemcu_emu::core
