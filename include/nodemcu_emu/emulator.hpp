// The embedding API: build Options, construct an Emulator, run it.
#pragma once

#include <memory>

#include "nodemcu_emu/options.hpp"

namespace nodemcu_emu {

class Emulator {
 public:
  explicit Emulator(Options options);
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  // Runs the prelude, the script (or boot), then the event loop until nothing can happen any
  // more, --run-for elapses, a signal arrives or an error policy ends it. Returns the exit status.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nodemcu_emu
