// UART0 as a pseudo-terminal (--serial): the emulator keeps the master side, tools (nodemcu-tool,
// ESPlorer, picocom) open the slave side as they would a USB-serial adapter's /dev/ttyUSB0.
#pragma once

#include <string>
#include <string_view>

namespace nodemcu_emu::core {

class PseudoTerminal {
 public:
  PseudoTerminal() = default;
  ~PseudoTerminal();
  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  // Opens a master/slave pair in raw mode. Returns false with `error` set.
  bool open(std::string& error);
  // Links `path` to the slave (replacing an older symlink there, never any other file). The link
  // goes with this object.
  bool link(const std::string& path, std::string& error);

  // Drops what the device sent that nobody has read: the boot's output, sent before any tool
  // could know the path (a tool's own flush on open can miss bytes still in the kernel's
  // flip buffers; this one, from a slave fd open all along, does not).
  void discard_unread();

  int master() const { return master_; }
  const std::string& slave_path() const { return slave_path_; }

  // Sends bytes to whoever has the slave open. Waits while the tool is slow to read, as the
  // chip's UART waits for its FIFO; output nobody reads (no tool attached, or one that stopped
  // reading) is discarded after a while, as an unplugged adapter loses it.
  void write(std::string_view bytes);

 private:
  int master_ = -1;
  // The emulator holds the slave open itself: without it the master reads EIO (a busy loop)
  // between two tools, and a reopened port would see the other end hang up.
  int slave_ = -1;
  std::string slave_path_;
  std::string link_;
};

}  // namespace nodemcu_emu::core
