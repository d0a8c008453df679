#include "core/serial_input.hpp"

#include <unistd.h>

namespace nodemcu_emu::core {

SerialInput::SerialInput(EventLoop& loop, int fd, Consumer consumer)
    : loop_(loop), consumer_(std::move(consumer)), fd_(fd), stdin_(loop.io()) {
  boost::system::error_code ec;
  fd = ::dup(fd);
  stdin_.assign(fd, ec);
  if (ec) {
    pollable_ = false;
    ::close(fd);
  }
}

SerialInput::~SerialInput() { stop(); }

void SerialInput::start() {
  keep_ = loop_.keep_alive();
  read_more();
}

void SerialInput::stop() {
  stopped_ = true;
  keep_.reset();
  boost::system::error_code ec;
  if (pollable_) stdin_.cancel(ec);
}

void SerialInput::read_more() {
  auto self = shared_from_this();
  if (!pollable_) {
    // A file is always readable: read it in loop-sized pieces, one per turn.
    loop_.post([self] {
      if (self->stopped_) return;
      ssize_t n = ::read(self->fd_, self->buffer_, sizeof self->buffer_);
      if (n <= 0) {
        self->keep_.reset();
        self->consumer_({}, true);
        return;
      }
      self->consumer_(std::string_view(self->buffer_, static_cast<std::size_t>(n)), false);
      if (!self->stopped_) self->read_more();
    });
    return;
  }
  stdin_.async_read_some(boost::asio::buffer(buffer_),
                         [self](const boost::system::error_code& ec, std::size_t n) {
                           if (self->stopped_) return;
                           if (ec) {
                             self->keep_.reset();
                             self->consumer_({}, true);
                             return;
                           }
                           self->consumer_(std::string_view(self->buffer_, n), false);
                           if (!self->stopped_) self->read_more();
                         });
}

}  // namespace nodemcu_emu::core
