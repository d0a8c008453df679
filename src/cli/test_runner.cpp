// The test runner: finds the files, runs one child emulator per file (this same binary, so the
// child is exactly the emulator under test), at most -j at a time, and prints their cases in
// file order whatever order they finish in, so -j changes the speed and never the report.
#include "cli/test_runner.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/child_process.hpp"
#include "cli/lcov_merge.hpp"
#include "cli/parse_args.hpp"
#include "cli/test_results.hpp"

namespace nodemcu_emu::cli {

namespace fs = std::filesystem;

namespace {

// Children run in process groups of their own (so that a timeout kills what they started), so a
// Ctrl-C on the terminal reaches only the runner: it kills them and reports what finished.
volatile int g_signal = 0;
extern "C" void on_signal(int sig) { g_signal = sig; }

void catch_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

struct RunnerOptions {
  int jobs = 1;
  int shard = 1, shards = 1;
  std::string junit_file;
  std::string coverage_file;        // --coverage[=FILE]: the files' LCOV, summed
  double timeout_seconds = 60;      // per file, a safety net against a hung child
  std::vector<std::string> passthrough;  // emulator options given to every child
  std::vector<std::string> paths;
};

struct Usage {
  std::string message;
};

int parse_count(const std::string& what, const std::string& text) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 1)
    throw Usage{what + " needs a positive number, got '" + text + "'"};
  return v;
}

void parse_shard(RunnerOptions& o, const std::string& v) {
  auto slash = v.find('/');
  if (slash == std::string::npos) throw Usage{"--shard needs K/N, got '" + v + "'"};
  o.shard = parse_count("--shard", v.substr(0, slash));
  o.shards = parse_count("--shard", v.substr(slash + 1));
  if (o.shard > o.shards) throw Usage{"--shard K/N needs K <= N, got '" + v + "'"};
}

void parse_report(RunnerOptions& o, const std::string& v) {
  if (v.rfind("junit:", 0) != 0 || v.size() == 6)
    throw Usage{"--report needs junit:FILE, got '" + v + "'"};
  o.junit_file = v.substr(6);
}

RunnerOptions parse(const std::vector<std::string>& argv) {
  RunnerOptions o;
  bool options_done = false;
  for (std::size_t i = 2; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    // The value of "--name VALUE" or "--name=VALUE".
    auto value = [&](const std::string& name) -> std::optional<std::string> {
      if (a == name) {
        if (i + 1 >= argv.size()) throw Usage{"option '" + name + "' needs a value"};
        return argv[++i];
      }
      if (a.rfind(name + "=", 0) == 0) return a.substr(name.size() + 1);
      return std::nullopt;
    };
    if (options_done || a.empty() || a[0] != '-') {
      o.paths.push_back(a);
    } else if (a == "--") {
      options_done = true;
    } else if (a.rfind("-j", 0) == 0 && a.size() > 2) {
      o.jobs = parse_count("-j", a.substr(2));
    } else if (a == "-j") {
      if (i + 1 >= argv.size()) throw Usage{"option '-j' needs a value"};
      o.jobs = parse_count("-j", argv[++i]);
    } else if (auto v = value("--jobs")) {
      o.jobs = parse_count("--jobs", *v);
    } else if (auto v = value("--shard")) {
      parse_shard(o, *v);
    } else if (auto v = value("--report")) {
      parse_report(o, *v);
    } else if (a == "--coverage" || a.rfind("--coverage=", 0) == 0) {
      o.coverage_file = a.size() > 11 ? a.substr(11) : "coverage.lcov";
    } else if (auto v = value("--timeout")) {
      o.timeout_seconds = parse_count("--timeout", *v);
    } else if (a.rfind("--", 0) == 0) {
      // An emulator option for every child (one word: --hosts=FILE, --heap=N, --strict).
      o.passthrough.push_back(a);
    } else {
      throw Usage{"unrecognized option '" + a + "'"};
    }
  }
  if (o.paths.empty()) o.paths.push_back(".");
  return o;
}

bool is_test_file(const fs::path& p) {
  std::string name = p.filename().string();
  return name.ends_with(".lua") && (name.ends_with("_spec.lua") || name.starts_with("test_"));
}

// Named files as they are; directories searched recursively for *_spec.lua and test_*.lua.
std::vector<std::string> discover(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it); it.increment(ec))
        if (it->is_regular_file(ec) && is_test_file(it->path()))
          files.push_back(it->path().lexically_normal().string());
    } else if (fs::exists(p, ec)) {
      files.push_back(fs::path(p).lexically_normal().string());
    } else {
      throw Usage{"no such file or directory: " + p};
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

std::string self_executable() {
  char path[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path);
  if (n <= 0 || static_cast<std::size_t>(n) >= sizeof path) return "nodemcu-emu";
  return std::string(path, static_cast<std::size_t>(n));
}

// One child: the file's "-- args:" options ("--real-time" there means: no --virtual-time, as
// tests/CMakeLists.txt reads it), run in the file's folder like CTest runs tests/lua.
ChildSpec child_for(const std::string& file, const std::string& exe, const RunnerOptions& o,
                    const std::string& coverage) {
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  std::vector<std::string> args;
  if (first.rfind("-- args: ", 0) == 0) args = split_words(first.substr(9));
  bool real_time = std::erase(args, std::string("--real-time")) > 0;
  ChildSpec spec;
  spec.argv.push_back(exe);
  // Said explicitly either way: NODEMCU_EMU_OPTIONS, which the child reads too, may say otherwise.
  spec.argv.push_back(real_time ? "--real-time" : "--virtual-time");
  spec.argv.insert(spec.argv.end(), o.passthrough.begin(), o.passthrough.end());
  if (!coverage.empty()) spec.argv.push_back("--coverage=" + coverage);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  // Named relative to its folder, so that error positions read "x_spec.lua:3:" as under CTest.
  fs::path absolute = fs::absolute(file);
  spec.argv.push_back(absolute.filename().string());
  spec.cwd = absolute.parent_path().string();
  // emu.run starts other devices with $NODEMCU_EMU: this binary unless the caller chose one.
  if (std::getenv("NODEMCU_EMU") == nullptr) spec.extra_env.push_back("NODEMCU_EMU=" + exe);
  spec.limit = std::chrono::milliseconds(static_cast<long long>(o.timeout_seconds * 1000));
  return spec;
}

int run(const RunnerOptions& o) {
  // A report that cannot be written is a usage error now, not after the whole suite has run.
  if (!o.junit_file.empty() && !std::ofstream(o.junit_file, std::ios::binary))
    throw Usage{"cannot write the report " + o.junit_file};
  std::vector<std::string> all = discover(o.paths);
  std::vector<std::string> files;
  // Shard K of N: every file whose index in the sorted list is K-1 modulo N.
  for (std::size_t i = 0; i < all.size(); ++i)
    if (static_cast<int>(i % static_cast<std::size_t>(o.shards)) == o.shard - 1) files.push_back(all[i]);
  if (!o.coverage_file.empty() && !std::ofstream(o.coverage_file, std::ios::binary))
    throw Usage{"cannot write the coverage report " + o.coverage_file};
  const std::string exe = self_executable();
  // Each file's emulator writes its LCOV here (absolute: the children run in their files'
  // folders); they are summed at the end.
  std::vector<std::string> coverage_parts;
  fs::path coverage_dir;
  if (!o.coverage_file.empty()) {
    char pattern[] = "/tmp/nodemcu-emu-coverage-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw Usage{"cannot create a temporary folder for --coverage"};
    coverage_dir = pattern;
    for (std::size_t i = 0; i < files.size(); ++i)
      coverage_parts.push_back((coverage_dir / (std::to_string(i) + ".lcov")).string());
  }
  TapWriter tap(std::cout);
  Totals totals;
  std::vector<std::optional<FileResult>> results(files.size());
  std::size_t next_start = 0, next_print = 0;
  ChildPool pool;
  std::vector<std::size_t> file_of;  // pool index -> file index
  while (next_print < files.size()) {
    while (next_start < files.size() && pool.running() < static_cast<std::size_t>(o.jobs)) {
      std::size_t index = pool.start(child_for(files[next_start], exe, o,
                                               coverage_parts.empty() ? "" : coverage_parts[next_start]));
      if (file_of.size() <= index) file_of.resize(index + 1);
      file_of[index] = next_start++;
    }
    auto ended = pool.wait_one(&g_signal);
    if (!ended) break;
    std::size_t f = file_of[ended->first];
    results[f] = interpret(files[f], ended->second, o.timeout_seconds);
    for (; next_print < files.size() && results[next_print]; ++next_print) {
      tap.file(*results[next_print]);
      totals.add(*results[next_print]);
    }
  }
  if (g_signal != 0)
    std::cout << "# interrupted by signal " << g_signal << ": " << next_print << " of " << files.size()
              << " files reported\n";
  tap.finish(totals);
  if (!o.coverage_file.empty()) {
    bool written = merge_lcov(coverage_parts, o.coverage_file);
    std::error_code ec;
    fs::remove_all(coverage_dir, ec);
    if (!written) {
      std::cerr << "nodemcu-emu: cannot write " << o.coverage_file << "\n";
      return 2;
    }
  }
  if (!o.junit_file.empty()) {
    std::vector<FileResult> done;
    for (auto& r : results)
      if (r) done.push_back(std::move(*r));
    std::ofstream out(o.junit_file, std::ios::binary);
    out << junit_xml(done);
    if (!out.flush()) {
      std::cerr << "nodemcu-emu: cannot write " << o.junit_file << "\n";
      return 2;
    }
  }
  if (g_signal != 0) return 128 + g_signal;
  return totals.failed > 0 ? 1 : 0;
}

}  // namespace

std::string test_usage() {
  return R"(
test runner:
  --test [options] [FILES|DIRS]
                     run test files, each in a fresh emulator with --virtual-time (the
                     file's "-- args:" first line adds options; --real-time there drops
                     --virtual-time), in the file's folder; DIRS are searched recursively
                     for *_spec.lua and test_*.lua (default: .). Prints TAP version 13,
                     ends with "N passed, N failed, N skipped", exits 1 if a case failed
    -j N             run N files at a time (the report is the same)
    --shard K/N      only the files whose index in the sorted list is K-1 modulo N
    --report=junit:FILE  also write JUnit XML (a testsuite per file)
    --coverage[=FILE]    LCOV of the Lua lines the files ran, summed over all of them
                         (default coverage.lcov; genhtml FILE renders it)
    --timeout=SECONDS    kill a file's emulator after this long (default 60)
    --NAME=VALUE     any other emulator option, for every file (e.g. --hosts=FILE)
)";
}

int run_tests(const std::vector<std::string>& argv) {
  try {
    for (std::size_t i = 2; i < argv.size() && argv[i] != "--"; ++i) {
      if (argv[i] == "--help" || argv[i] == "-h") {
        std::cout << "usage: nodemcu-emu" << test_usage();
        return 0;
      }
    }
    RunnerOptions options = parse(argv);
    catch_signals();
    return run(options);
  } catch (const Usage& u) {
    std::cerr << "nodemcu-emu: --test: " << u.message << "\nTry 'nodemcu-emu --help' for more information.\n";
    return 2;
  }
}

}  // namespace nodemcu_emu::cli
