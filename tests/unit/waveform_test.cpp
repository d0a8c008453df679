// A pin's square wave (pwm): the edges computed on demand.
#include <catch2/catch.hpp>

#include "modules/gpio/waveform.hpp"

using namespace nodemcu_emu;
using core::Micros;
using modules::gpio::LevelChange;
using modules::gpio::Waveform;
using modules::gpio::wave_edges;

namespace {
std::vector<std::pair<long long, int>> plain(const std::vector<LevelChange>& edges) {
  std::vector<std::pair<long long, int>> out;
  for (const auto& e : edges) out.emplace_back(e.at.count(), e.level);
  return out;
}
}  // namespace

TEST_CASE("a wave's edges: rise at each period, fall after the high time, up to the end",
          "[waveform]") {
  Waveform w{Micros(100), Micros(1000), Micros(250)};
  using V = std::vector<std::pair<long long, int>>;
  CHECK(plain(wave_edges(w, 0, Micros(99), 10)).empty());
  CHECK(plain(wave_edges(w, 0, Micros(100), 10)) == V{{100, 1}});  // an edge at the end is in
  CHECK(plain(wave_edges(w, 0, Micros(2350), 10)) ==
        V{{100, 1}, {350, 0}, {1100, 1}, {1350, 0}, {2100, 1}, {2350, 0}});
  CHECK(plain(wave_edges(w, 0, Micros(2349), 10)) == V{{100, 1}, {350, 0}, {1100, 1}, {1350, 0}, {2100, 1}});
  // already high when the wave began: no first rise
  CHECK(plain(wave_edges(w, 1, Micros(1200), 10)) == V{{350, 0}, {1100, 1}});
  // only the newest `max`
  CHECK(plain(wave_edges(w, 0, Micros(2350), 3)) == V{{1350, 0}, {2100, 1}, {2350, 0}});
  CHECK(w.level_at(Micros(349)) == 1);
  CHECK(w.level_at(Micros(350)) == 0);
  CHECK(w.level_at(Micros(1100)) == 1);
}

TEST_CASE("an hour of a 1 kHz wave costs only the edges asked for", "[waveform]") {
  Waveform w{Micros(0), Micros(1000), Micros(500)};
  auto edges = wave_edges(w, 0, Micros(3600LL * 1000000 - 1), 4096);
  REQUIRE(edges.size() == 4096);
  CHECK(edges.back().at == Micros(3600LL * 1000000 - 500));
  CHECK(edges.back().level == 0);
  long long high = 0;
  for (std::size_t i = 0; i + 1 < edges.size(); ++i)
    if (edges[i].level == 1) high += (edges[i + 1].at - edges[i].at).count();
  CHECK(high == 2048 * 500);  // 2048 whole periods, each high for half
}
