// Child processes for `nodemcu-emu --test`: one emulator per test file, its stdout and stderr
// captured through pipes, several at a time, each with a time limit.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace nodemcu_emu::cli {

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is the executable's path
  std::string cwd;
  std::vector<std::string> extra_env;  // NAME=VALUE added to (or replacing in) the environment
  std::chrono::milliseconds limit;     // killed (with its process group) after this long
};

struct ChildOutcome {
  std::string out, err;
  int exit_status = -1;  // when it exited
  int signal = 0;        // when a signal ended it
  bool timed_out = false;
  bool spawn_failed = false;
  std::chrono::milliseconds elapsed{0};
};

// Runs children, at most `jobs` at a time. start() may be called while others run; wait_one()
// blocks until one of them has ended and returns its index (the order of start calls).
class ChildPool {
 public:
  std::size_t start(const ChildSpec& spec);
  std::size_t running() const;
  // The index and outcome of the next child to end; nullopt when none is running, or when
  // *stop (a signal handler's flag) became non-zero: then every child's group is killed.
  std::optional<std::pair<std::size_t, ChildOutcome>> wait_one(const volatile int* stop = nullptr);
  void kill_all();

 private:
  struct Child {
    std::size_t index;
    pid_t pid = -1;
    int out_fd = -1, err_fd = -1;
    std::chrono::steady_clock::time_point started, deadline;
    ChildOutcome outcome;
    bool exited = false;
  };
  bool poll_once();  // reads what is there; true when some child has ended
  std::vector<Child> children_;
  std::size_t next_index_ = 0;
};

}  // namespace nodemcu_emu::cli
