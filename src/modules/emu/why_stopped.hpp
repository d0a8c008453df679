// Why a wait on the event loop from inside a script (emu.run_until, a peer's read) ended before
// its condition held and before its limit: the words both give the test that waited.
#pragma once

#include "core/device.hpp"

namespace nodemcu_emu::modules {

// nullptr while the device runs and the loop goes on.
inline const char* why_stopped(core::Device& d) {
  if (d.halted()) {
    switch (d.halt_reason()) {
      case 4: return "halted: node.restart()";
      case 5: return "halted: deep sleep";
      default: return "halted: an error rebooted the device";
    }
  }
  if (d.loop().stopping()) return "stopping: the emulator is exiting";
  return nullptr;
}

}  // namespace nodemcu_emu::modules
