#include "cli/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace nodemcu_emu::cli {

namespace {

using Clock = std::chrono::steady_clock;

// A runaway test printing in a loop must not take the runner's memory with it.
constexpr std::size_t k_output_cap = 8u << 20;

std::vector<std::string> environment_with(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    std::string name = entry.substr(0, entry.find('='));
    bool replaced = std::any_of(extra.begin(), extra.end(), [&name](const std::string& x) {
      return x.compare(0, name.size() + 1, name + "=") == 0;
    });
    if (!replaced) env.push_back(std::move(entry));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& words) {
  std::vector<char*> out;
  for (auto& w : words) out.push_back(w.data());
  out.push_back(nullptr);
  return out;
}

// Reads what the pipe holds now; closes it (fd = -1) at end of file.
void drain(int& fd, std::string& into) {
  char buffer[65536];
  while (fd >= 0) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n > 0) {
      std::size_t room = k_output_cap > into.size() ? k_output_cap - into.size() : 0;
      into.append(buffer, std::min(room, static_cast<std::size_t>(n)));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
      ::close(fd);
      fd = -1;
    } else if (errno == EAGAIN) {
      return;
    }
  }
}

}  // namespace

std::size_t ChildPool::start(const ChildSpec& spec) {
  Child c;
  c.index = next_index_++;
  c.started = Clock::now();
  c.deadline = c.started + spec.limit;
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    c.outcome.spawn_failed = true;
    c.outcome.err = std::string("pipe: ") + std::strerror(errno);
    c.exited = true;
    children_.push_back(std::move(c));
    return children_.back().index;
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    c.outcome.spawn_failed = true;
    c.outcome.err = std::string("pipe: ") + std::strerror(errno);
    c.exited = true;
    children_.push_back(std::move(c));
    return children_.back().index;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  // Its own process group: a timeout kills the child's children (emu.run, popen) too.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  std::vector<std::string> argv = spec.argv;
  std::vector<std::string> env = environment_with(spec.extra_env);
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env);
  int rc = ::posix_spawn(&c.pid, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]);
    ::close(err[0]);
    c.outcome.spawn_failed = true;
    c.outcome.err = "cannot start " + spec.argv[0] + ": " + std::strerror(rc);
    c.exited = true;
  } else {
    c.out_fd = out[0];
    c.err_fd = err[0];
    ::fcntl(c.out_fd, F_SETFL, O_NONBLOCK);
    ::fcntl(c.err_fd, F_SETFL, O_NONBLOCK);
  }
  children_.push_back(std::move(c));
  return children_.back().index;
}

std::size_t ChildPool::running() const { return children_.size(); }

void ChildPool::kill_all() {
  for (auto& c : children_) {
    if (c.exited) continue;
    ::kill(-c.pid, SIGKILL);
    ::waitpid(c.pid, nullptr, 0);
    if (c.out_fd >= 0) ::close(c.out_fd);
    if (c.err_fd >= 0) ::close(c.err_fd);
  }
  children_.clear();
}

std::optional<std::pair<std::size_t, ChildOutcome>> ChildPool::wait_one(const volatile int* stop) {
  while (!children_.empty()) {
    if (stop != nullptr && *stop != 0) {
      kill_all();
      return std::nullopt;
    }
    for (auto it = children_.begin(); it != children_.end(); ++it) {
      if (!it->exited) continue;
      std::pair<std::size_t, ChildOutcome> done{it->index, std::move(it->outcome)};
      done.second.elapsed =
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - it->started);
      children_.erase(it);
      return done;
    }
    poll_once();
  }
  return std::nullopt;
}

bool ChildPool::poll_once() {
  std::vector<pollfd> fds;
  for (auto& c : children_) {
    if (c.out_fd >= 0) fds.push_back({c.out_fd, POLLIN, 0});
    if (c.err_fd >= 0) fds.push_back({c.err_fd, POLLIN, 0});
  }
  // The tick only bounds how late an exit (whose pipes a grandchild may keep open) or a
  // deadline is noticed; it decides no result.
  ::poll(fds.data(), fds.size(), 50);
  bool ended = false;
  auto now = Clock::now();
  for (auto& c : children_) {
    if (c.exited) continue;
    drain(c.out_fd, c.outcome.out);
    drain(c.err_fd, c.outcome.err);
    if (now >= c.deadline && !c.outcome.timed_out) {
      c.outcome.timed_out = true;
      ::kill(-c.pid, SIGKILL);
    }
    // Noticed without reaping: while the child is a zombie its process group id stays ours,
    // so whatever it left behind in the group can be killed without hitting a stranger.
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(c.pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
        info.si_pid != c.pid)
      continue;
    ::kill(-c.pid, SIGKILL);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    if (WIFEXITED(status)) c.outcome.exit_status = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) c.outcome.signal = WTERMSIG(status);
    // What it wrote before exiting is still in the pipes.
    drain(c.out_fd, c.outcome.out);
    drain(c.err_fd, c.outcome.err);
    if (c.out_fd >= 0) ::close(c.out_fd);
    if (c.err_fd >= 0) ::close(c.err_fd);
    c.out_fd = c.err_fd = -1;
    c.exited = true;
    ended = true;
  }
  return ended;
}

}  // namespace nodemcu_emu::cli
