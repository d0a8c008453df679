#include "modules/ow/onewire_master.hpp"

namespace nodemcu_emu::modules::ow {

void reset_search(SearchState& s) {
  s = SearchState{};
}

void target_search(SearchState& s, std::uint8_t family) {
  s.rom = Rom{};
  s.rom[0] = family;
  s.last_discrepancy = 64;
  s.last_family_discrepancy = 0;
  s.last_device = false;
}

int Master::reset() {
  // The driver first waits up to 250 µs for the line to come high: a line held low (no
  // pull-up) is "broken or shorted" and answers 0 without a reset pulse.
  for (int retries = 124;; --retries) {
    if (retries == 0) return 0;
    wait(2);
    if (bus_.idle_line(idle_) != 0) break;
  }
  wait(t_.reset_tx);
  bool presence = bus_.reset(now_);
  wait(t_.reset_wait);
  wait(t_.reset_rx);
  return presence ? 1 : 0;
}

void Master::write_bit(int bit) {
  bus_.write_bit(bit & 1, now_);
  if (bit & 1)
    wait(t_.w_1_low + 8u + t_.w_1_high);  // 8: the driver's fixed delay in the slot
  else
    wait(t_.w_0_low + static_cast<unsigned>(t_.w_0_high));
}

int Master::read_bit() {
  wait(t_.r_low + static_cast<unsigned>(t_.r_wait));
  int bit = bus_.read_bit(now_, idle_);
  wait(t_.r_delay);
  return bit;
}

void Master::write(std::uint8_t byte) {
  for (int i = 0; i < 8; ++i) write_bit((byte >> i) & 1);
}

std::uint8_t Master::read() {
  std::uint8_t r = 0;
  for (int i = 0; i < 8; ++i)
    if (read_bit()) r = static_cast<std::uint8_t>(r | (1u << i));
  return r;
}

void Master::select(const Rom& rom) {
  write(0x55);
  for (std::uint8_t b : rom) write(b);
}

void Master::skip() {
  write(0xCC);
}

bool Master::search(SearchState& s, Rom& out, bool alarm_only) {
  int id_bit_number = 1;
  int last_zero = 0;
  int rom_byte = 0;
  std::uint8_t mask = 1;
  bool found = false;
  if (!s.last_device) {
    if (!reset()) {
      s.last_discrepancy = 0;
      s.last_device = false;
      s.last_family_discrepancy = 0;
      return false;
    }
    write(alarm_only ? 0xEC : 0xF0);
    do {
      int id_bit = read_bit();
      int cmp_id_bit = read_bit();
      if (id_bit == 1 && cmp_id_bit == 1) break;  // nobody answers any more
      int direction;
      if (id_bit != cmp_id_bit) {
        direction = id_bit;
      } else {
        // a discrepancy: before the last one, take the same branch as last time; at it,
        // take 1 now; after it, 0
        if (id_bit_number < s.last_discrepancy)
          direction = (s.rom[rom_byte] & mask) ? 1 : 0;
        else
          direction = id_bit_number == s.last_discrepancy ? 1 : 0;
        if (direction == 0) {
          last_zero = id_bit_number;
          if (last_zero < 9) s.last_family_discrepancy = static_cast<std::uint8_t>(last_zero);
        }
      }
      if (direction)
        s.rom[rom_byte] = static_cast<std::uint8_t>(s.rom[rom_byte] | mask);
      else
        s.rom[rom_byte] = static_cast<std::uint8_t>(s.rom[rom_byte] & ~mask);
      write_bit(direction);
      ++id_bit_number;
      mask = static_cast<std::uint8_t>(mask << 1);
      if (mask == 0) {
        ++rom_byte;
        mask = 1;
      }
    } while (rom_byte < 8);
    if (id_bit_number >= 65) {
      s.last_discrepancy = static_cast<std::uint8_t>(last_zero);
      if (s.last_discrepancy == 0) s.last_device = true;
      found = true;
    }
  }
  if (!found || s.rom[0] == 0) {
    s.last_discrepancy = 0;
    s.last_device = false;
    s.last_family_discrepancy = 0;
    return false;
  }
  out = s.rom;
  return true;
}

}  // namespace nodemcu_emu::modules::ow
