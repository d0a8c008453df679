// nodemcu-emu: the command line → Options → Emulator.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/parse_args.hpp"
#include "cli/make_lfs.hpp"
#include "cli/test_runner.hpp"
#include "nodemcu_emu/emulator.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  // --test makes this process a test runner that starts one emulator per test file.
  if (args.size() > 1 && args[1] == "--test") return nodemcu_emu::cli::run_tests(args);
  // --make-lfs OUT FILES…: writes an LFS image for node.LFS.reload and exits.
  if (args.size() > 1 && args[1] == "--make-lfs") return nodemcu_emu::cli::make_lfs(args);
  auto parsed = nodemcu_emu::cli::parse_args(args, std::getenv("NODEMCU_EMU_FIRMWARE"),
                                             std::getenv("NODEMCU_EMU_OPTIONS"));
  switch (parsed.action) {
    case nodemcu_emu::cli::ParseResult::help:
      std::fputs((nodemcu_emu::cli::usage("nodemcu-emu") + nodemcu_emu::cli::test_usage() +
                  nodemcu_emu::cli::make_lfs_usage()).c_str(), stdout);
      return 0;
    case nodemcu_emu::cli::ParseResult::version:
      std::printf("nodemcu-emu %s\n", NODEMCU_EMU_VERSION);
      return 0;
    case nodemcu_emu::cli::ParseResult::error:
      std::fprintf(stderr, "nodemcu-emu: %s\n%s", parsed.message.c_str(),
                   "Try 'nodemcu-emu --help' for more information.\n");
      return 2;
    case nodemcu_emu::cli::ParseResult::run:
      break;
  }
  setvbuf(stdout, nullptr, _IOLBF, 0);
  nodemcu_emu::Emulator emulator(std::move(parsed.options));
  return emulator.run();
}
