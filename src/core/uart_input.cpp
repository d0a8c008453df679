#include "core/uart_input.hpp"

namespace nodemcu_emu::core {

namespace {
constexpr char k_bs = '\010';
constexpr char k_del = 0x7f;
constexpr char k_cr = '\r';
constexpr char k_lf = '\n';
constexpr std::string_view k_bs_over = "\010 \010";
}  // namespace

void InputFramer::feed(char ch, const Framing& framing, bool echo, InputSink& sink) {
  if (framing.run_input) {
    feed_line_mode(ch, framing, echo, sink);
    return;
  }
  // Binary mode: nothing reaches the interpreter.
  if (!framing.has_callback) return;
  if (framing.data_len == 0) {
    sink.data(std::string_view(&ch, 1));
    return;
  }
  data_ += ch;
  bool full = data_.size() >= k_buffer;
  bool counted = framing.data_len > 0 && data_.size() >= static_cast<std::size_t>(framing.data_len);
  bool terminated = framing.data_len < 0 && ch == framing.end_char;
  if (full || counted || terminated) {
    std::string frame = std::move(data_);
    data_.clear();
    sink.data(frame);
  }
}

// Text mode: CR/LF pairs merge, BS/DEL edit, each line goes to the callback (without its end)
// and then, if not empty, to the interpreter. An empty line only gets a new prompt.
void InputFramer::feed_line_mode(char ch, const Framing& framing, bool echo, InputSink& sink) {
  if ((ch == k_cr && last_char_ == k_lf) || (ch == k_lf && last_char_ == k_cr)) {
    last_char_ = 0;
    return;
  }
  if (ch == k_del || ch == k_bs) {
    if (!data_.empty()) {
      if (echo) sink.output(k_bs_over);
      data_.pop_back();
    }
    last_char_ = 0;
    return;
  }
  last_char_ = ch;
  if (ch == k_cr || ch == k_lf) {
    if (echo) sink.output("\n");
    std::string line = std::move(data_);
    data_.clear();
    if (framing.has_callback) sink.data(line);
    if (line.empty()) {
      sink.prompt();
      return;
    }
    sink.line(line + "\n");
    return;
  }
  if (echo) sink.output(std::string_view(&ch, 1));
  if (data_.size() + 1 >= k_buffer) data_.clear();  // an over-long line is dropped
  data_ += ch;
}

}  // namespace nodemcu_emu::core
