#include "core/pty.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace nodemcu_emu::core {

namespace {
// How long a full pty buffer may stay full before its unread output is dropped: a tool that is
// reading drains it in microseconds; this only ends the wait when nobody reads at all.
constexpr int k_stall_ms = 500;

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }
}  // namespace

PseudoTerminal::~PseudoTerminal() {
  if (!link_.empty()) {
    // Only our own link: somebody may have replaced it meanwhile.
    char target[4096];
    ssize_t n = ::readlink(link_.c_str(), target, sizeof target - 1);
    if (n > 0 && std::string_view(target, static_cast<std::size_t>(n)) == slave_path_)
      ::unlink(link_.c_str());
  }
  if (slave_ >= 0) ::close(slave_);
  if (master_ >= 0) ::close(master_);
}

bool PseudoTerminal::open(std::string& error) {
  master_ = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) {
    error = errno_text("cannot open a pseudo-terminal");
    return false;
  }
  const char* name = ::ptsname(master_);
  if (name == nullptr) {
    error = errno_text("ptsname");
    return false;
  }
  slave_path_ = name;
  slave_ = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave_ < 0) {
    error = errno_text(name);
    return false;
  }
  // Raw, as a serial port: no echo, no CR/LF rewriting, no signals from ^C. The tools set their
  // own modes on open; these are what a tool that sets none (cat, a script) finds.
  termios t{};
  ::tcgetattr(slave_, &t);
  ::cfmakeraw(&t);
  ::cfsetspeed(&t, B115200);
  ::tcsetattr(slave_, TCSANOW, &t);
  ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
  return true;
}

bool PseudoTerminal::link(const std::string& path, std::string& error) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISLNK(st.st_mode)) {
      error = "--serial=" + path + ": exists and is not a symbolic link";
      return false;
    }
    ::unlink(path.c_str());
  }
  if (::symlink(slave_path_.c_str(), path.c_str()) != 0) {
    error = errno_text(("--serial=" + path).c_str());
    return false;
  }
  link_ = path;
  return true;
}

void PseudoTerminal::discard_unread() { ::tcflush(slave_, TCIFLUSH); }

void PseudoTerminal::write(std::string_view bytes) {
  int stalls = 0;
  while (!bytes.empty()) {
    ssize_t n = ::write(master_, bytes.data(), bytes.size());
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return;  // nothing sensible to do: the bytes are lost
    pollfd p{master_, POLLOUT, 0};
    if (::poll(&p, 1, k_stall_ms) <= 0) {
      // Nobody reads: drop what waits unread in the tool's direction, as a closed port does.
      if (++stalls > 2) return;
      ::tcflush(slave_, TCIFLUSH);
    }
  }
}

}  // namespace nodemcu_emu::core
