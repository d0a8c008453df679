// cli::parse_args: lua.c's options and their order, the emulator's long options, and errors
// reported as ParseResult::error with a message (main turns that into exit status 2).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cli/parse_args.hpp"

using nodemcu_emu::OnError;
using nodemcu_emu::PreludeAction;
using nodemcu_emu::TimeoutModel;
using nodemcu_emu::cli::parse_args;
using nodemcu_emu::cli::ParseResult;

namespace {
ParseResult parse(std::vector<std::string> args) {
  args.insert(args.begin(), "nodemcu-emu");
  return parse_args(args);
}

// Parses and requires success.
nodemcu_emu::Options ok(std::vector<std::string> args) {
  auto r = parse(std::move(args));
  INFO("message: " << r.message);
  REQUIRE(r.action == ParseResult::run);
  return r.options;
}

// Parses, requires an error, returns its message.
std::string parse_error_of(std::vector<std::string> args) {
  auto r = parse(std::move(args));
  REQUIRE(r.action == ParseResult::error);
  CHECK_FALSE(r.message.empty());
  return r.message;
}
}  // namespace

TEST_CASE("no arguments: no script, no prelude, the defaults", "[cli]") {
  auto o = ok({});
  CHECK_FALSE(o.script);
  CHECK_FALSE(o.script_from_stdin);
  CHECK(o.script_index == -1);
  CHECK(o.prelude.empty());
  CHECK_FALSE(o.interactive);
  CHECK_FALSE(o.show_version);
  CHECK_FALSE(o.virtual_time);
  CHECK_FALSE(o.boot);
  CHECK(o.fs_dir == ".");
  CHECK(o.on_error == OnError::panic);
  CHECK_FALSE(o.run_for_seconds);
  CHECK_FALSE(o.heap_bytes);
  CHECK(o.argv == std::vector<std::string>{"nodemcu-emu"});
}

TEST_CASE("the first non-option is the script; what follows are its arguments", "[cli]") {
  auto o = ok({"--virtual-time", "app.lua", "-e", "x", "--fs", "d"});
  REQUIRE(o.script);
  CHECK(*o.script == "app.lua");
  CHECK(o.script_index == 2);
  CHECK(o.prelude.empty());  // "-e x" belongs to the script
  CHECK(o.fs_dir == ".");
  CHECK(o.argv.size() == 7);
}

TEST_CASE("-e and -l run in the order given, with the text attached or as the next word", "[cli]") {
  auto o = ok({"-e", "a=1", "-lsocket", "-eb=2", "-l", "json"});
  REQUIRE(o.prelude.size() == 4);
  CHECK(o.prelude[0].kind == PreludeAction::execute);
  CHECK(o.prelude[0].text == "a=1");
  CHECK(o.prelude[1].kind == PreludeAction::require);
  CHECK(o.prelude[1].text == "socket");
  CHECK(o.prelude[2].kind == PreludeAction::execute);
  CHECK(o.prelude[2].text == "b=2");
  CHECK(o.prelude[3].kind == PreludeAction::require);
  CHECK(o.prelude[3].text == "json");
  CHECK_FALSE(o.script);
}

TEST_CASE("-e takes the next word even when it looks like an option", "[cli]") {
  auto o = ok({"-e", "-v"});
  REQUIRE(o.prelude.size() == 1);
  CHECK(o.prelude[0].text == "-v");
  CHECK_FALSE(o.show_version);
}

TEST_CASE("-e or -l without its argument is an error", "[cli]") {
  CHECK(parse_error_of({"-e"}) == "'-e' needs argument");
  CHECK(parse_error_of({"-l"}) == "'-l' needs argument");
  CHECK(parse_error_of({"-e", "--"}) == "'-e' needs argument");
}

TEST_CASE("-v shows the version and runs nothing else by itself", "[cli]") {
  auto o = ok({"-v"});
  CHECK(o.show_version);
  CHECK_FALSE(o.interactive);
}

TEST_CASE("-i enters the console and, as in lua.c, shows the version too", "[cli]") {
  auto o = ok({"-i", "app.lua"});
  CHECK(o.interactive);
  CHECK(o.show_version);
  REQUIRE(o.script);
  CHECK(*o.script == "app.lua");
}

TEST_CASE("a lone - makes stdin the script and ends the options", "[cli]") {
  auto o = ok({"-e", "x=1", "-", "a", "-v"});
  CHECK(o.script_from_stdin);
  CHECK_FALSE(o.script);
  CHECK(o.script_index == 3);
  CHECK_FALSE(o.show_version);  // "-v" is an argument of the script
}

TEST_CASE("-- ends the options: the next word is the script even if it starts with -", "[cli]") {
  auto o = ok({"-v", "--", "-odd-name.lua", "x"});
  CHECK(o.show_version);
  REQUIRE(o.script);
  CHECK(*o.script == "-odd-name.lua");
  CHECK(o.script_index == 3);
}

TEST_CASE("-- with nothing after it means no script", "[cli]") {
  auto o = ok({"--"});
  CHECK_FALSE(o.script);
  CHECK_FALSE(o.script_from_stdin);
}

TEST_CASE("unknown short options and short options with a tail are errors", "[cli]") {
  CHECK(parse_error_of({"-x"}) == "unrecognized option '-x'");
  CHECK(parse_error_of({"-vv"}) == "unrecognized option '-vv'");
  CHECK(parse_error_of({"-ix"}) == "unrecognized option '-ix'");
}

TEST_CASE("--help and -h ask for the usage text; --version for the version", "[cli]") {
  CHECK(parse({"--help"}).action == ParseResult::help);
  CHECK(parse({"-h"}).action == ParseResult::help);
  CHECK(parse({"--virtual-time", "--help", "--bogus"}).action == ParseResult::help);
  CHECK(parse({"--version"}).action == ParseResult::version);
}

TEST_CASE("the usage text names every long option", "[cli]") {
  auto text = nodemcu_emu::cli::usage("nodemcu-emu");
  for (const char* name : {"--fs", "--boot", "--virtual-time", "--idle-grace", "--run-for", "--on-error",
                           "--trace", "--heap", "--firmware", "--timeout-model", "--strict",
                           "--frame-size", "--limits", "--bind", "--port-map", "--hosts", "--help",
                           "--version", "-e stat", "-l name", "-i", "-v"})
    CHECK_THAT(text, Catch::Contains(name));
}

TEST_CASE("long options take a value after = or as the next word", "[cli]") {
  auto a = ok({"--fs=flash", "--run-for=2.5", "--heap=30000"});
  auto b = ok({"--fs", "flash", "--run-for", "2.5", "--heap", "30000"});
  for (const auto& o : {a, b}) {
    CHECK(o.fs_dir == "flash");
    REQUIRE(o.run_for_seconds);
    CHECK(*o.run_for_seconds == Approx(2.5));
    REQUIRE(o.heap_bytes);
    CHECK(*o.heap_bytes == 30000);
  }
}

TEST_CASE("a value given as the next word may itself start with a dash", "[cli]") {
  auto o = ok({"--fs", "-dir"});
  CHECK(o.fs_dir == "-dir");
}

TEST_CASE("flag options set their switch", "[cli]") {
  auto o = ok({"--boot", "--virtual-time", "--strict"});
  CHECK(o.boot);
  CHECK(o.virtual_time);
  CHECK(o.strict);
}

TEST_CASE("--on-error accepts panic, restart and continue", "[cli]") {
  CHECK(ok({"--on-error=panic"}).on_error == OnError::panic);
  CHECK(ok({"--on-error", "restart"}).on_error == OnError::restart);
  CHECK(ok({"--on-error=continue"}).on_error == OnError::continue_);
  CHECK(parse_error_of({"--on-error=reboot"}) == "--on-error must be panic, restart or continue, not 'reboot'");
}

TEST_CASE("--trace takes an optional value: stderr, json, a file, json:file", "[cli]") {
  auto plain = ok({"--trace", "app.lua"});
  CHECK(plain.trace);
  CHECK_FALSE(plain.trace_json);
  CHECK(plain.trace_file.empty());
  REQUIRE(plain.script);  // an optional value is never taken from the next word
  CHECK(*plain.script == "app.lua");

  auto json = ok({"--trace=json"});
  CHECK(json.trace_json);
  CHECK(json.trace_file.empty());

  auto file = ok({"--trace=out.txt"});
  CHECK_FALSE(file.trace_json);
  CHECK(file.trace_file == "out.txt");

  auto jsonl = ok({"--trace=events.jsonl"});
  CHECK(jsonl.trace_json);
  CHECK(jsonl.trace_file == "events.jsonl");

  auto json_file = ok({"--trace=json:t.log"});
  CHECK(json_file.trace_json);
  CHECK(json_file.trace_file == "t.log");
}

TEST_CASE("net options are parsed into the options", "[cli]") {
  auto o = ok({"--firmware=3", "--timeout-model=keepalive", "--frame-size", "536", "--bind=127.0.0.2",
               "--port-map", "80=8080", "--port-map=23=2323", "--hosts", "h.txt",
               "--limits=tcp=2,dns=1,dns-servers=3,igmp=0", "--idle-grace=5"});
  CHECK(o.firmware == 3);
  CHECK(o.timeout_model == TimeoutModel::keepalive);
  CHECK(o.frame_size == 536);
  CHECK(o.bind_address == "127.0.0.2");
  CHECK(o.port_map.at(80) == 8080);
  CHECK(o.port_map.at(23) == 2323);
  CHECK(ok({"--port-map", "80=0"}).port_map.at(80) == 0);  // a free port, found at start
  CHECK(o.hosts_file == "h.txt");
  CHECK(o.limits.tcp == 2);
  CHECK(o.limits.dns_table == 1);
  CHECK(o.limits.dns_servers == 3);
  CHECK(o.limits.igmp == 0);
  CHECK(o.idle_grace_ms == Approx(5.0));
}

TEST_CASE("an unknown long option is an error naming it", "[cli]") {
  CHECK(parse_error_of({"--bogus"}) == "unrecognized option '--bogus'");
  CHECK(parse_error_of({"--bogus=1"}) == "unrecognized option '--bogus'");
}

TEST_CASE("a long option missing its value is an error", "[cli]") {
  CHECK(parse_error_of({"--fs"}) == "option '--fs' needs a value");
  CHECK(parse_error_of({"--run-for"}) == "option '--run-for' needs a value");
}

TEST_CASE("a flag option given a value is an error", "[cli]") {
  CHECK(parse_error_of({"--boot=yes"}) == "option '--boot' takes no value");
  CHECK(parse_error_of({"--virtual-time=1"}) == "option '--virtual-time' takes no value");
}

TEST_CASE("numeric option values are checked", "[cli]") {
  CHECK(parse_error_of({"--heap=lots"}) == "option '--heap' needs a number, got 'lots'");
  CHECK(parse_error_of({"--heap=12k"}) == "option '--heap' needs a number, got '12k'");
  CHECK(parse_error_of({"--run-for=-1"}) == "option '--run-for' needs a number of seconds, got '-1'");
  CHECK(parse_error_of({"--run-for="}) == "option '--run-for' needs a number of seconds, got ''");
  CHECK(parse_error_of({"--frame-size=0"}) == "--frame-size must be 1..65535");
  CHECK(parse_error_of({"--firmware=4"}) == "--firmware must be 1, 2 or 3, not '4'");
  CHECK(parse_error_of({"--timeout-model=x"}) == "--timeout-model must be idle or keepalive, not 'x'");
  CHECK(parse_error_of({"--port-map=80"}) == "--port-map needs P=H, got '80'");
  CHECK(parse_error_of({"--port-map=0=80"}) == "option '--port-map': port out of range: 0");
  CHECK(parse_error_of({"--port-map=80=70000"}) == "option '--port-map': port out of range: 70000");
  CHECK(parse_error_of({"--limits=tcp"}) == "--limits: expected NAME=N, got 'tcp'");
  CHECK(parse_error_of({"--limits=udp=3"}) == "--limits: unknown limit 'udp' (tcp, dns, dns-servers, igmp)");
  CHECK(parse_error_of({"--limits=tcp=-1"}) == "--limits: tcp must be >= 0");
}

TEST_CASE("--boot with a script is an error: the boot program is init.lua", "[cli]") {
  CHECK(parse_error_of({"--boot", "app.lua"}) == "--boot runs init.lua from --fs; give no script with it");
  CHECK(parse_error_of({"--boot", "-"}) == "--boot runs init.lua from --fs; give no script with it");
}

TEST_CASE("argv is kept whole for the global arg", "[cli]") {
  auto o = ok({"-e", "x=1", "s.lua", "a", "b"});
  CHECK(o.argv == std::vector<std::string>{"nodemcu-emu", "-e", "x=1", "s.lua", "a", "b"});
  CHECK(o.script_index == 3);
}

TEST_CASE("--firmware=1 selects the 1.5.4.1 API", "[cli]") {
  CHECK(ok({"--firmware=1"}).firmware == 1);
  CHECK(ok({}).firmware == 2);
}

TEST_CASE("NODEMCU_EMU_FIRMWARE sets the profile and --firmware overrides it", "[cli]") {
  using nodemcu_emu::cli::parse_args;
  CHECK(parse_args({"nodemcu-emu"}, "1").options.firmware == 1);
  CHECK(parse_args({"nodemcu-emu", "--firmware=3"}, "1").options.firmware == 3);
  CHECK(parse_args({"nodemcu-emu"}, "").options.firmware == 2);
  auto bad = parse_args({"nodemcu-emu"}, "9");
  CHECK(bad.action == nodemcu_emu::cli::ParseResult::error);
  CHECK(bad.message == "NODEMCU_EMU_FIRMWARE must be 1, 2 or 3, not '9'");
}

TEST_CASE("--help names the three firmware profiles", "[cli]") {
  auto text = nodemcu_emu::cli::usage("nodemcu-emu");
  CHECK(text.find("1 = 1.5.4.1") != std::string::npos);
  CHECK(text.find("2 = 2.2.1 (default)") != std::string::npos);
  CHECK(text.find("3 = 3.0") != std::string::npos);
  CHECK(text.find("NODEMCU_EMU_FIRMWARE") != std::string::npos);
}

TEST_CASE("--serial: a pty, optionally linked; not with -i or a script from stdin", "[cli]") {
  auto plain = ok({"--serial"});
  CHECK(plain.serial);
  CHECK(plain.serial_link.empty());
  auto linked = ok({"--serial=/tmp/ttyNODEMCU", "app.lua"});
  CHECK(linked.serial);
  CHECK(linked.serial_link == "/tmp/ttyNODEMCU");
  CHECK(linked.script == "app.lua");
  CHECK(parse_error_of({"--serial="}).find("needs a path") != std::string::npos);
  CHECK(parse_error_of({"--serial", "-i"}).find("-i") != std::string::npos);
  CHECK(parse_error_of({"--serial", "-"}).find("stdin") != std::string::npos);
}

TEST_CASE("NODEMCU_EMU_OPTIONS gives long options before the command line's, which win", "[cli]") {
  using nodemcu_emu::cli::parse_args;
  auto r = parse_args({"nodemcu-emu", "spec.lua"}, nullptr, "--host-libs --virtual-time --firmware=3");
  REQUIRE(r.action == nodemcu_emu::cli::ParseResult::run);
  CHECK(r.options.host_libs);
  CHECK(r.options.virtual_time);
  CHECK(r.options.firmware == 3);
  CHECK(*r.options.script == "spec.lua");
  CHECK(r.options.script_index == 1);  // the script's arg table is the command line's
  auto cli_wins = parse_args({"nodemcu-emu", "--firmware=1", "--real-time"}, "2",
                             "--firmware 3 --virtual-time");
  CHECK(cli_wins.options.firmware == 1);
  CHECK_FALSE(cli_wins.options.virtual_time);
  CHECK(parse_args({"nodemcu-emu"}, nullptr, "  ").action == nodemcu_emu::cli::ParseResult::run);
  CHECK(parse_args({"nodemcu-emu"}, nullptr, "--hosts 'my hosts'").options.hosts_file == "my hosts");
}

TEST_CASE("NODEMCU_EMU_OPTIONS refuses what is not a long option, naming itself", "[cli]") {
  using nodemcu_emu::cli::parse_args;
  auto script = parse_args({"nodemcu-emu"}, nullptr, "-e print(1)");
  CHECK(script.action == nodemcu_emu::cli::ParseResult::error);
  CHECK(script.message == "NODEMCU_EMU_OPTIONS: only the emulator's --options, not '-e'");
  auto unknown = parse_args({"nodemcu-emu"}, nullptr, "--nope");
  CHECK(unknown.message == "NODEMCU_EMU_OPTIONS: unrecognized option '--nope'");
  auto missing = parse_args({"nodemcu-emu"}, nullptr, "--fs");
  CHECK(missing.message == "NODEMCU_EMU_OPTIONS: option '--fs' needs a value");
}
