// -i on a terminal: line editing and history (libedit, BSD-licensed), driven from the event loop
// through its callback interface, so timers and sockets run while a line is being typed.
//
// libedit keeps its state in globals: one editor per process, which the device's serial port
// owns while its console is on a terminal.
#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/event_loop.hpp"

namespace nodemcu_emu::core {

class LineEditor {
 public:
  // Each finished line (without its end), or nullopt at end of input (Ctrl-D).
  using OnLine = std::function<void(std::optional<std::string>)>;

  // Whether editing applies: stdin and stdout are both terminals.
  static bool wanted();

  LineEditor(EventLoop& loop, OnLine on_line);
  ~LineEditor();  // gives the terminal its modes back
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // The prompt shown from the next line on (or now, if no line is being handled).
  void set_prompt(const std::string& prompt);
  // Output from elsewhere (a timer's print) while a line is being typed: the half-typed line is
  // taken off the screen before and drawn again after, under the output.
  void before_output();
  void after_output();

 private:
  static void handle_line(char* line);
  void wait();

  EventLoop& loop_;
  OnLine on_line_;
  boost::asio::posix::stream_descriptor input_;
  EventLoop::KeepAlive keep_;
  std::string prompt_ = "> ";
  std::string history_file_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // a late wait handler checks it
  bool in_line_ = false;  // inside on_line_: output needs no redrawing
  bool ended_ = false;
};

}  // namespace nodemcu_emu::core
