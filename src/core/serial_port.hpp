// UART0's receive side: the one owner of the emulator's stdin. Whoever wants input — the
// interactive console (-i) or a script's uart.on("data") — asks this port; one reader feeds
// every byte through the firmware's input framing (driver/input.c), which hands complete lines
// to the interpreter and frames to the uart.on callback, as on the chip. Lives as long as the
// Device: a reboot keeps the port, the uart module's settings go with the Lua state.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

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

  // The interactive console: reads stdin until its end, lines go to the interpreter.
  void attach_console();
  bool console_attached() const { return console_; }

  // uart.on("data"): `on_frame` gets each frame (empty function: unregistered). `framing` says
  // how bytes are framed; `echo` is uart.setup's echo flag.
  void set_receiver(const Framing& framing, std::function<void(std::string_view)> on_frame);
  void set_echo(bool echo) { echo_ = echo; }
  // Back to the power-on state (the uart module's state is gone at reboot).
  void reset_receiver();

  // Bytes that arrived on UART0 (from stdin, or a test feeding them).
  void receive(std::string_view bytes);

 private:
  class Sink;
  void update_reader();
  void end_of_input();

  Device& device_;
  std::shared_ptr<SerialInput> reader_;
  InputFramer framer_;
  Framing framing_;
  std::function<void(std::string_view)> on_frame_;
  bool echo_ = true;
  bool console_ = false;
  bool ended_ = false;  // stdin reached its end: nothing more will be read
};

}  // namespace nodemcu_emu::core
