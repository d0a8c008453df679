// A square wave on a pin (what pwm puts out between duty 0 and full): high for `high` from the
// start of every `period`, beginning at `start` (device uptime). Its edges are computed when a
// test asks for the pin's history, never one timer per edge: a 1 kHz PWM over an hour of
// virtual time costs only the edges asked for.
#pragma once

#include <cstddef>
#include <vector>

#include "core/clock.hpp"

namespace nodemcu_emu::modules::gpio {

struct LevelChange {
  core::Micros at;
  int level;
};

struct Waveform {
  core::Micros start;
  core::Micros period;  // > 0
  core::Micros high;    // 0 < high < period

  // The level the wave puts out at time t (>= start), its edges at t included.
  int level_at(core::Micros t) const { return (t - start) % period < high ? 1 : 0; }
};

// The wave's edges in [wave.start, end] (an edge at `end` has happened: gpio.read then sees
// it), the newest `max` of them, oldest first. `level_before`
// is the pad's level just before the wave began: a wave starting high on a high pad has no
// first rising edge.
std::vector<LevelChange> wave_edges(const Waveform& wave, int level_before, core::Micros end,
                                    std::size_t max);

}  // namespace nodemcu_emu::modules::gpio
