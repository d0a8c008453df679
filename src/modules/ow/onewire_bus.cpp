#include "modules/ow/onewire_bus.hpp"

namespace nodemcu_emu::modules::ow {

bool OneWireBus::reset(Micros now) const {
  bool presence = false;
  for (const auto& d : devices_) presence = d->ow_reset(now) || presence;  // every device resets
  return presence;
}

void OneWireBus::write_bit(int bit, Micros now) const {
  for (const auto& d : devices_) d->ow_write_bit(bit, now);
}

int OneWireBus::read_bit(Micros now, int idle_level) const {
  if (devices_.empty()) return idle_level;
  int line = 1;
  for (const auto& d : devices_) line &= d->ow_read_bit(now);  // every device sees the slot
  return line;
}

}  // namespace nodemcu_emu::modules::ow
