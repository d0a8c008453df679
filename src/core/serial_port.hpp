// UART0: the one owner of the device's serial line, both ways. Whoever wants input — the
// interpreter's console (-i, --serial) or a script's uart.on("data") — asks this port; one reader
// feeds every byte through the firmware's input framing (driver/input.c), which hands complete
// lines to the interpreter and frames to the uart.on callback, as on the chip. Everything the
// device sends (print, the echo, prompts, uart.write) leaves through transmit().
//
// The line is the host's stdin/stdout, or with --serial a pseudo-terminal that is the board's
// wire: there the echo and CR LF line ends are the firmware's, whatever the console mode.
// Lives as long as the Device: a reboot keeps the port, the uart module's settings go with the
// Lua state.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/line_editor.hpp"
#include "core/pty.hpp"
#include "core/serial_input.hpp"
#include "core/uart_input.hpp"

namespace nodemcu_emu::core {

class Device;

class SerialPort {
 public:
  explicit SerialPort(Device& device) : device_(device) {}
  ~SerialPort();
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  // --serial: the line becomes a new pseudo-terminal (stdin/stdout are left alone). Call before
  // the device boots. Returns false with `error` set.
  bool open_pty(std::string& error);
  // Announces the pty once the device sits at its prompt: what the boot printed is dropped
  // (nobody could have had the port open: a real board's power-on output is long gone when a
  // tool connects), then `path`, if not empty, is linked to it.
  bool announce_pty(const std::string& path, std::string& error) {
    held_.clear();
    pty_->discard_unread();
    return path.empty() || pty_->link(path, error);
  }
  bool on_pty() const { return pty_ != nullptr; }
  const std::string& pty_path() const { return pty_->slave_path(); }

  // The interactive console: reads the line until its end, lines go to the interpreter. On a
  // terminal (-i, stdin and stdout both ttys) lines are edited with history first.
  void attach_console();
  bool console_attached() const { return console_; }

  // uart.on("data"): `on_frame` gets each frame (empty function: unregistered). `framing` says
  // how bytes are framed; `echo` is uart.setup's echo flag.
  void set_receiver(const Framing& framing, std::function<void(std::string_view)> on_frame);
  void set_echo(bool echo) { echo_ = echo; }
  // Back to the power-on state (the uart module's state is gone at reboot).
  void reset_receiver();

  // Bytes that arrived on UART0 (from the line, or a test feeding them).
  void receive(std::string_view bytes);

  // What the device sends. `text` goes through the firmware's uart0_putc (print, the echo,
  // prompts: on the pty "\n" leaves as "\r\n" and "\r" is dropped); `raw` is uart.write's
  // platform_uart_send, byte for byte.
  enum class Tx { text, raw };
  void transmit(std::string_view bytes, Tx kind);

 private:
  class Sink;
  void update_reader();
  void end_of_input();
  // While a chunk of input is framed, what the framing itself sends on the pty (the echo, the
  // prompt after an empty line, "\b \b") is held and leaves in one write: on the board those
  // bytes leave the UART back to back and the USB adapter delivers them in one packet; written
  // a byte at a time, a tool reading in between sees the echo without its prompt (ESPlorer's
  // firmware detection looks for "\r\n>" in the first piece it reads). Released before Lua
  // runs, whose output goes out as it is printed.
  void hold();
  void release();
  void flush_held();

  Device& device_;
  std::unique_ptr<PseudoTerminal> pty_;
  std::shared_ptr<SerialInput> reader_;
  std::unique_ptr<LineEditor> editor_;
  InputFramer framer_;
  Framing framing_;
  std::function<void(std::string_view)> on_frame_;
  bool echo_ = true;
  bool console_ = false;
  bool ended_ = false;  // the line reached its end: nothing more will be read
  bool holding_ = false;
  std::string held_;
};

}  // namespace nodemcu_emu::core
