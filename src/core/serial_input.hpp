// The device's UART receive side: stdin (or the --serial pty) read on the event loop, handed on
// in chunks of bytes.
#pragma once

#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <memory>
#include <string>

#include "core/event_loop.hpp"

namespace nodemcu_emu::core {

class SerialInput : public std::enable_shared_from_this<SerialInput> {
 public:
  // Called with each chunk of bytes read; at end of input with an empty view and `eof`.
  using Consumer = std::function<void(std::string_view data, bool eof)>;

  // Reads `fd` (a duplicate of it: the caller keeps its own).
  SerialInput(EventLoop& loop, int fd, Consumer consumer);
  ~SerialInput();
  void start();
  void stop();

 private:
  void read_more();

  EventLoop& loop_;
  Consumer consumer_;
  int fd_;
  boost::asio::posix::stream_descriptor stdin_;
  EventLoop::KeepAlive keep_;
  char buffer_[4096];
  bool stopped_ = false;
  bool pollable_ = true;  // false for a regular file on stdin (epoll refuses those)
};

// Splits a byte stream into lines (without "\r\n"/"\n").
class LineSplitter {
 public:
  template <class F>
  void feed(std::string_view data, F&& on_line) {
    for (char c : data) {
      if (c == '\n') {
        if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
        on_line(partial_);
        partial_.clear();
      } else {
        partial_ += c;
      }
    }
  }
  template <class F>
  void finish(F&& on_line) {
    if (!partial_.empty()) on_line(partial_);
    partial_.clear();
  }

 private:
  std::string partial_;
};

}  // namespace nodemcu_emu::core
