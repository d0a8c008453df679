// UART0's receive path (driver/input.c): bytes from the host become uart.on("data") frames
// and/or lines for the Lua interpreter, exactly as the firmware frames them.
#pragma once

#include <string>
#include <string_view>

namespace nodemcu_emu::core {

// Where the framed input goes.
class InputSink {
 public:
  virtual ~InputSink() = default;
  virtual void data(std::string_view frame) = 0;   // uart.on's callback
  virtual void line(const std::string& line) = 0;  // a complete line (with "\n") for Lua
  virtual void output(std::string_view text) = 0;  // the echo, to the UART
  virtual void prompt() = 0;                       // the interpreter's prompt, after an empty line
};

// input_setup_receive's settings.
struct Framing {
  bool has_callback = false;
  int data_len = -1;  // >0: frames of n bytes; 0: every byte; <0: up to end_char
  char end_char = 0;
  bool run_input = true;  // lines go to the interpreter (and, whole, to the callback)
};

class InputFramer {
 public:
  static constexpr std::size_t k_buffer = 256;  // LUA_MAXINPUT

  // Feeds one byte. `framing` and `echo` are read per byte: a callback may change them.
  void feed(char ch, const Framing& framing, bool echo, InputSink& sink);
  // Partial input still buffered (not yet a frame or line).
  std::size_t pending() const { return data_.size(); }

 private:
  void feed_line_mode(char ch, const Framing& framing, bool echo, InputSink& sink);
  std::string data_;
  char last_char_ = 0;
};

}  // namespace nodemcu_emu::core
