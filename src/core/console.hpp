// The device's UART as seen by the script: what print() writes, and where node.output diverts it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace nodemcu_emu::core {

class Console {
 public:
  using Sink = std::function<void(std::string_view)>;

  // Everything the script prints (print, prompts): to UART0, unless node.output diverts it.
  void write(std::string_view text);
  // What the SDK and the firmware's C code print themselves (os_printf, dbg_printf: "DNS
  // retry 1!", "MAX_SOCKET"): straight to UART0, never diverted by node.output.
  void write_uart(std::string_view text);
  // Where UART0's text goes (the device's serial port); unset: stdout.
  void set_uart(Sink uart) { uart_ = std::move(uart); }
  // The interpreter's prompt ("> ", ">> "): written like any text, unless a line editor (-i on
  // a terminal) shows it itself. Diverted by node.output like the rest.
  void prompt(std::string_view text) {
    if (prompt_hook_ && !sink_)
      prompt_hook_(text);
    else
      write(text);
  }
  void set_prompt_hook(Sink hook) { prompt_hook_ = std::move(hook); }
  // On the board's wire (--serial) the interpreter's error replies go to the UART, as lua.c's
  // stderr is the UART there; on the host's terminal they go to stderr, as lua.c's do.
  void set_errors_on_uart(bool on) { errors_on_uart_ = on; }
  bool errors_on_uart() const { return errors_on_uart_ || diverted(); }
  // Emulator diagnostics (PANIC lines, warnings, tracebacks): always stderr, never diverted.
  static void diagnostic(std::string_view text);

  // The firmware's platform_print_deprecation_note(msg, time_frame), printed on the UART.
  void deprecation_note(std::string_view what, std::string_view when = "in the next version") {
    write("Warning, deprecated API! " + std::string(what) + ". It will be removed " +
          std::string(when) + ". See documentation for details.\n");
  }

  // node.output: divert to `sink`; `echo` keeps the UART (stdout) copy too.
  void divert(Sink sink, bool echo) {
    sink_ = std::move(sink);
    echo_ = echo;
  }
  bool diverted() const { return static_cast<bool>(sink_); }
  void restore() {
    sink_ = nullptr;
    echo_ = true;
  }

 private:
  Sink sink_;
  Sink uart_;
  Sink prompt_hook_;
  bool echo_ = true;
  bool errors_on_uart_ = false;
};

}  // namespace nodemcu_emu::core
