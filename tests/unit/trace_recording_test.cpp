// core::TraceRecording (emu.trace()): a sink of the trace that keeps its events in memory.
#include "core/trace_recording.hpp"

#include <catch2/catch.hpp>
#include <string>

using nodemcu_emu::core::Micros;
using nodemcu_emu::core::Trace;
using nodemcu_emu::core::TraceRecording;

TEST_CASE("a recording keeps the events emitted while it records, with their fields") {
  Trace trace;
  CHECK_FALSE(trace.enabled());
  trace.emit(Micros(1), "tcp#1", "before");
  {
    TraceRecording rec(trace);
    CHECK(trace.enabled());  // with no --trace file: callers format their fields for the sink
    trace.emit(Micros(2000), "srv#1", "listen", {{"port", 80}});
    trace.emit(Micros(3000), "tcp#2", "accept", {{"peer", "127.0.0.1:5000"}});
    rec.stop();
    trace.emit(Micros(4000), "tcp#2", "after");
    CHECK_FALSE(rec.recording());
    REQUIRE(rec.events().size() == 2);
    const auto& e = rec.events()[1];
    CHECK(e.t == Micros(3000));
    CHECK(e.subject == "tcp#2");
    CHECK(e.event == "accept");
    REQUIRE(e.fields.size() == 1);
    CHECK(e.fields[0].first == "peer");
    CHECK(std::get<std::string>(e.fields[0].second) == "127.0.0.1:5000");
    CHECK(std::get<long long>(rec.events()[0].fields[0].second) == 80);
    rec.clear();
    CHECK(rec.events().empty());
  }
  CHECK_FALSE(trace.enabled());
}

TEST_CASE("a recording's filter leaves subjects out; two recordings hear the same events") {
  Trace trace;
  TraceRecording all(trace);
  TraceRecording no_peers(trace, [](std::string_view s) { return s.substr(0, 5) != "peer#"; });
  trace.emit(Micros(0), "peer#1", "connect");
  trace.emit(Micros(0), "tcp#1", "accept");
  CHECK(all.events().size() == 2);
  REQUIRE(no_peers.events().size() == 1);
  CHECK(no_peers.events()[0].subject == "tcp#1");
}

TEST_CASE("a recording destroyed first leaves the trace as it was") {
  Trace trace;
  { TraceRecording rec(trace); }
  CHECK_FALSE(trace.enabled());
  trace.emit(Micros(0), "tcp#1", "accept");  // no sink left to call
}
