#include "core/console.hpp"

#include <cstdio>

namespace nodemcu_emu::core {

void Console::write(std::string_view text) {
  if (echo_ || !sink_) write_uart(text);
  if (sink_) sink_(text);
}

void Console::write_uart(std::string_view text) {
  if (uart_) {
    uart_(text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
}

void Console::diagnostic(std::string_view text) {
  std::fflush(stdout);
  std::fwrite(text.data(), 1, text.size(), stderr);
  if (text.empty() || text.back() != '\n') std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace nodemcu_emu::core
