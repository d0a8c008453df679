#include "core/serial_port.hpp"

#include <unistd.h>

#include <cstdio>
#include <utility>

#include "core/device.hpp"

namespace nodemcu_emu::core {

namespace {
constexpr std::size_t k_held_max = 4096;
}  // namespace

// Where framed input goes: frames to uart.on's callback, lines to the interpreter, the echo and
// the prompt to the console.
class SerialPort::Sink final : public InputSink {
 public:
  explicit Sink(SerialPort& port) : port_(port) {}
  void data(std::string_view frame) override {
    if (!port_.on_frame_) return;
    port_.release();
    port_.on_frame_(frame);
    port_.hold();
  }
  void line(const std::string& text) override {
    Device& d = port_.device_;
    if (d.halted() || d.L() == nullptr) return;
    port_.release();
    d.repl().feed(d.L(), text.substr(0, text.size() - 1));  // the REPL takes lines without "\n"
    d.console().prompt(d.repl().prompt());
    port_.hold();
  }
  // input.c echoes with uart0_putc, past node.output.
  void output(std::string_view text) override { port_.transmit(text, Tx::text); }
  void prompt() override { port_.device_.console().prompt(port_.device_.repl().prompt()); }

 private:
  SerialPort& port_;
};

SerialPort::~SerialPort() {
  if (reader_) reader_->stop();
}

bool SerialPort::open_pty(std::string& error) {
  auto pty = std::make_unique<PseudoTerminal>();
  if (!pty->open(error)) return false;
  pty_ = std::move(pty);
  device_.console().set_errors_on_uart(true);
  return true;
}

void SerialPort::attach_console() {
  console_ = true;
  if (!pty_ && LineEditor::wanted()) {
    // The editor reads the terminal and hands over whole lines, which go through the same
    // framing as typed bytes (the editor has echoed them already).
    editor_ = std::make_unique<LineEditor>(device_.loop(), [this](std::optional<std::string> line) {
      if (!line) {
        end_of_input();
        return;
      }
      receive(*line + "\n");
    });
    device_.console().set_prompt_hook([this](std::string_view p) { editor_->set_prompt(std::string(p)); });
    return;
  }
  update_reader();
}

void SerialPort::set_receiver(const Framing& framing, std::function<void(std::string_view)> on_frame) {
  framing_ = framing;
  on_frame_ = std::move(on_frame);
  update_reader();
}

void SerialPort::reset_receiver() {
  framing_ = Framing{};
  on_frame_ = nullptr;
  echo_ = true;
  update_reader();
}

// The line is read while somebody listens: the console, or a uart.on callback. An idle reader
// would keep the emulator from ending when the script is done.
void SerialPort::update_reader() {
  bool wanted = !ended_ && !editor_ && (console_ || framing_.has_callback);
  if (wanted && !reader_) {
    int fd = pty_ ? pty_->master() : STDIN_FILENO;
    reader_ = std::make_shared<SerialInput>(device_.loop(), fd, [this](std::string_view bytes, bool eof) {
      if (eof)
        end_of_input();
      else
        receive(bytes);
    });
    reader_->start();
  } else if (!wanted && reader_) {
    reader_->stop();
    reader_.reset();
  }
}

void SerialPort::end_of_input() {
  ended_ = true;
  // A last line without its newline still runs (a piped file's last line).
  if (framer_.pending() > 0) receive("\n");
  if (console_) device_.console().write("\n");
  reader_.reset();
  if (editor_) device_.console().set_prompt_hook(nullptr);
}

void SerialPort::receive(std::string_view bytes) {
  Sink sink(*this);
  // On the pty the firmware's echo is the only one. On the host's terminal, the terminal (or the
  // line editor) echoes what is typed already, and the -i console never echoed: there the UART's
  // echo is for piped input to a script reading uart.on.
  bool echo = echo_ && (pty_ || (!console_ && !::isatty(STDIN_FILENO)));
  hold();
  for (char ch : bytes) {
    if (device_.halted() || device_.L() == nullptr) break;
    framer_.feed(ch, framing_, echo, sink);
  }
  release();
}

void SerialPort::hold() { holding_ = pty_ != nullptr; }

void SerialPort::release() {
  holding_ = false;
  flush_held();
}

void SerialPort::flush_held() {
  if (held_.empty()) return;
  std::string out = std::exchange(held_, {});
  pty_->write(out);
}

void SerialPort::transmit(std::string_view bytes, Tx kind) {
  if (!pty_) {
    if (editor_) editor_->before_output();
    std::fflush(stdout);
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
    if (editor_) editor_->after_output();
    return;
  }
  if (kind == Tx::raw && !holding_) {
    pty_->write(bytes);
    return;
  }
  std::string wire;
  if (kind == Tx::raw) {
    wire = bytes;
  } else {
    // uart0_putc: LF goes out as CR LF, a CR on its own is dropped.
    wire.reserve(bytes.size() + 8);
    for (char c : bytes) {
      if (c == '\n')
        wire += "\r\n";
      else if (c != '\r')
        wire += c;
    }
  }
  if (holding_) {
    held_ += wire;
    // A test may feed a long string at once: what is held stays packet-sized.
    if (held_.size() >= k_held_max) flush_held();
    return;
  }
  pty_->write(wire);
}

}  // namespace nodemcu_emu::core
