#include "core/line_editor.hpp"

#include <editline/readline.h>
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace nodemcu_emu::core {

namespace {
// The one editor libedit's callback reaches (its handler takes no context argument).
LineEditor* g_editor = nullptr;
constexpr int k_history_lines = 500;
constexpr int k_ctrl_d = 4;

// libedit's callback interface swallows Ctrl-D on an empty line (el_gets returns no characters,
// and the line handler is never called): Ctrl-D is bound to this instead, which notes the end
// of input on an empty line and deletes the character under the cursor otherwise.
bool end_key = false;
int ctrl_d(int, int) {
  if (rl_end == 0)
    end_key = true;
  else if (rl_point < rl_end)
    ::rl_delete_text(rl_point, rl_point + 1);
  return 0;
}
}  // namespace

bool LineEditor::wanted() { return ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO); }

LineEditor::LineEditor(EventLoop& loop, OnLine on_line)
    : loop_(loop), on_line_(std::move(on_line)), input_(loop.io(), ::dup(STDIN_FILENO)) {
  g_editor = this;
  if (const char* home = std::getenv("HOME"); home && *home) {
    history_file_ = std::string(home) + "/.nodemcu_emu_history";
    ::read_history(history_file_.c_str());
  }
  ::stifle_history(k_history_lines);
  keep_ = loop_.keep_alive();
  // The console's first prompt is on the screen already: libedit draws its own over it.
  std::fputs("\r", stdout);
  std::fflush(stdout);
  ::rl_callback_handler_install(prompt_.c_str(), &LineEditor::handle_line);
  ::rl_add_defun("nodemcu-emu-eof", ctrl_d, k_ctrl_d);
  wait();
}

LineEditor::~LineEditor() {
  boost::system::error_code ec;
  input_.cancel(ec);
  if (!ended_) ::rl_callback_handler_remove();
  if (!history_file_.empty()) ::write_history(history_file_.c_str());
  g_editor = nullptr;
}

void LineEditor::wait() {
  input_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
                      if (ec || alive.expired() || ended_) return;
                      end_key = false;
                      ::rl_callback_read_char();  // may call handle_line
                      if (ended_) return;
                      // Ctrl-D on an empty line, or the terminal gone (read() returns nothing
                      // then, and the descriptor stays readable: without this, a busy loop).
                      pollfd p{STDIN_FILENO, POLLIN, 0};
                      bool gone = ::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL));
                      if (end_key || gone) {
                        std::fputs("\n", stdout);
                        handle_line(nullptr);
                        return;
                      }
                      wait();
                    });
}

void LineEditor::handle_line(char* line) {
  LineEditor* self = g_editor;
  if (self == nullptr) return;
  if (line == nullptr) {
    self->ended_ = true;
    self->keep_.reset();
    ::rl_callback_handler_remove();
    self->on_line_(std::nullopt);
    return;
  }
  std::string text(line);
  std::free(line);
  if (!text.empty()) ::add_history(text.c_str());
  self->in_line_ = true;
  self->on_line_(std::move(text));
  self->in_line_ = false;
  // libedit's rl_callback_read_char leaves the editor in its line-at-a-time mode after a line
  // (the next el_gets would block the loop until Enter, with the terminal cooked meanwhile):
  // installing the handler again puts it back to a key at a time, and draws the prompt.
  if (!self->ended_) ::rl_callback_handler_install(self->prompt_.c_str(), &LineEditor::handle_line);
}

void LineEditor::set_prompt(const std::string& prompt) {
  prompt_ = prompt;
  ::rl_set_prompt(prompt_.c_str());
  if (!in_line_ && !ended_) ::rl_forced_update_display();
}

void LineEditor::before_output() {
  if (in_line_ || ended_) return;
  std::fputs("\r\033[K", stdout);  // the prompt and the half-typed line off the screen
}

void LineEditor::after_output() {
  if (in_line_ || ended_) return;
  std::fflush(stdout);
  ::rl_forced_update_display();
}

}  // namespace nodemcu_emu::core
