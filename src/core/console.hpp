// The device's UART as seen by the script: what print() writes, and where node.output diverts it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace nodemcu_emu::core {

class Console {
 public:
  using Sink = std::function<void(std::string_view)>;

  // Everything the script prints (print, the console's echo).
  void write(std::string_view text);
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
  bool echo_ = true;
};

}  // namespace nodemcu_emu::core
