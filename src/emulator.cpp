#include "nodemcu_emu/emulator.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "core/lfs_build.hpp"
#include "core/console.hpp"
#include "core/device.hpp"
#include "core/event_loop.hpp"
#include "core/interrupt.hpp"
#include "core/ip/free_port.hpp"
#include "core/trace.hpp"
#include "devices/catalog.hpp"
#include "lua/call.hpp"
#include "core/repl.hpp"
#include "modules/modules.hpp"
#include "modules/node/node_banner.hpp"

namespace nodemcu_emu {

namespace {

using core::Console;
using core::Device;

// Reports an uncaught error the way lua.c does, under our name.
void report(const std::string& error) { Console::diagnostic("nodemcu-emu: " + error); }

bool run_protected(lua_State* L, int nargs) {
  std::string error;
  if (lua::pcall_traceback(L, nargs, 0, error)) return true;
  // error() with no value: busted ends a failing run that way on Lua 5.1 (status 1, its report
  // already printed); a message about the nil would only be noise.
  if (error.rfind("(error object is a nil value)\n", 0) == 0) return false;
  report(error);
  Device::from(L).print_hint(error);
  return false;
}

bool load_and_run(lua_State* L, int status, int nargs = 0) {
  if (status != 0) {
    lua::collect_after_memory_error(L, status);
    report(lua::error_text(L, -1));
    lua_pop(L, 1);
    return false;
  }
  if (nargs > 0) lua_insert(L, -(nargs + 1));
  return run_protected(L, nargs);
}

bool handle_luainit(lua_State* L) {
  const char* init = std::getenv("LUA_INIT");
  if (init == nullptr) return true;
  if (init[0] == '@') return load_and_run(L, luaL_loadfile(L, init + 1));
  return load_and_run(L, luaL_loadbuffer(L, init, std::strlen(init), "=LUA_INIT"));
}

// The global `arg`: arg[0] is the script, negative indices the options before it.
int push_script_args(lua_State* L, const Options& o) {
  int script = o.script_index;
  int argc = static_cast<int>(o.argv.size());
  int narg = argc - (script + 1);
  luaL_checkstack(L, narg + 3, "too many arguments to script");
  for (int i = script + 1; i < argc; i++) lua_pushstring(L, o.argv[static_cast<std::size_t>(i)].c_str());
  lua_createtable(L, narg, script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, o.argv[static_cast<std::size_t>(i)].c_str());
    lua_rawseti(L, -2, i - script);
  }
  return narg;
}

bool run_prelude(lua_State* L, const Options& o) {
  for (const auto& action : o.prelude) {
    if (action.kind == PreludeAction::execute) {
      if (!load_and_run(L, luaL_loadbuffer(L, action.text.data(), action.text.size(), "=(command line)")))
        return false;
    } else {
      lua_getglobal(L, "require");
      lua_pushstring(L, action.text.c_str());
      if (!run_protected(L, 1)) return false;
    }
  }
  return true;
}

// The script named on the command line ("-" for stdin), or stdin taken implicitly (no script,
// stdin not a terminal): as in lua.c, only a named script gets `arg` and varargs.
bool run_script(lua_State* L, const Options& o) {
  int narg = 0;
  if (o.script_index >= 0) {
    narg = push_script_args(L, o);
    lua_setglobal(L, "arg");
  }
  bool from_stdin = o.script_from_stdin || !o.script;
  int status = from_stdin ? luaL_loadfile(L, nullptr) : luaL_loadfile(L, o.script->c_str());
  if (status != 0) {
    lua_pop(L, narg);
    return load_and_run(L, status);
  }
  lua_insert(L, -(narg + 1));
  return run_protected(L, narg);
}

void print_version() {
  std::printf("nodemcu-emu %s  (%s; NodeMCU firmware API emulation)\n", NODEMCU_EMU_VERSION,
              LUA_RELEASE "  " LUA_COPYRIGHT);
  std::fflush(stdout);
}

// --port-map P=0: each such P gets a host port that is free now.
Options with_free_ports(Options o) {
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(o.bind_address, ec);
  if (ec) return o;
  for (auto& [device_port, host_port] : o.port_map)
    if (host_port == 0) host_port = core::ip::reserve_free_port(address);
  return o;
}

}  // namespace

struct Emulator::Impl {
  Options options;
  core::EventLoop loop;
  core::Trace trace;
  Device device;

  explicit Impl(Options o)
      : options(with_free_ports(std::move(o))),
        loop(options.virtual_time, options.idle_grace_ms, options.peer_grace_ms),
        device(loop, options, trace, &modules::open_all) {}

  // Pending handlers point at the device's objects: let them finish while the device exists.
  ~Impl() {
    device.power_off();
    loop.drain();
  }

  // The interpreter's console is attached: on the --serial pty, or on stdin/stdout.
  bool has_console() const { return options.serial || wants_console(); }

  bool wants_console() const {
    if (options.interactive) return true;
    // lua.c: no script and no -e/-v → interactive when stdin is a terminal.
    bool has_e = false;
    for (const auto& a : options.prelude) has_e |= a.kind == PreludeAction::execute;
    return !options.serial && !options.boot && !options.script && !options.script_from_stdin &&
           !has_e && !options.show_version && ::isatty(STDIN_FILENO);
  }

  bool stdin_is_script() const {
    bool has_e = false;
    for (const auto& a : options.prelude) has_e |= a.kind == PreludeAction::execute;
    return options.script_from_stdin ||
           (!options.serial && !options.boot && !options.script && !has_e &&
            !options.show_version && !options.interactive && !::isatty(STDIN_FILENO));
  }

  // Power-on. With a console, the firmware's banner comes first and its prompt last, at every
  // boot (a node.restart() typed at the prompt brings both back, as a tool expects).
  bool boot_program(Device& d) {
    if (has_console()) d.console().write(modules::node::boot_banner(options.firmware));
    bool ok = boot_steps(d);
    if (ok && has_console()) d.console().prompt(d.repl().prompt());
    return ok;
  }

  // LUA_INIT and the command line's -e/-l first (at every boot: each one starts a fresh state,
  // and a test sets its pin levels or globals there), then init.lua under --boot, or the script
  // otherwise.
  bool boot_steps(Device& d) {
    lua_State* L = d.L();
    if (!handle_luainit(L)) return false;
    if (!run_prelude(L, options)) return false;
    if (options.boot) return run_init(d);
    if (options.script || stdin_is_script()) {
      if (!run_script(L, options)) return false;
    }
    return true;
  }

  bool run_init(Device& d) {
    if (!d.flash_has("init.lua")) {
      // The device says so and carries on at its prompt; without a console to carry on at, a
      // run that was meant to boot an application has failed (a CI job must not pass).
      d.console().write("lua: cannot open init.lua\n");
      if (has_console()) return true;
      Console::diagnostic("nodemcu-emu: --boot: no init.lua in the flash (" + options.fs_dir +
                          "); -i keeps the prompt open");
      return false;
    }
    // The device reports an init.lua error and carries on with its prompt; under
    // --on-error=panic CI wants it to fail instead.
    return d.run_file("init.lua") || options.on_error != OnError::panic;
  }

  // --lfs DIR: the folder's sources are the LFS image at power-on, in a partition of
  // --lfs-size or one that fits them.
  bool load_lfs_dir() {
    std::string error;
    auto image = core::build_lfs_image({options.lfs_dir}, error);
    if (!image) {
      Console::diagnostic("nodemcu-emu: --lfs: " + error);
      return false;
    }
    core::LfsFlash& lfs = device.lfs();
    if (lfs.size == 0) {
      lfs.addr = core::LfsFlash::k_default_addr;
      lfs.size = core::default_lfs_size(*image);
    }
    if (image->size() > lfs.size) {
      Console::diagnostic("nodemcu-emu: --lfs: LFS Image too big for configured LFS region (" +
                          std::to_string(image->size()) + " > " + std::to_string(lfs.size) + " bytes)");
      return false;
    }
    lfs.image = std::move(image);
    return true;
  }

  // --attach: the devices are on the board before the chip powers on.
  bool wire_attachments() {
    for (const auto& text : options.attach) {
      std::string error;
      auto spec = devices::parse_attach_spec(text, error);
      if (!spec || !devices::attach(device.board(), loop.clock(), *spec, error)) {
        Console::diagnostic("nodemcu-emu: --attach '" + text + "': " + error);
        return false;
      }
      if (trace.enabled())
        trace.emit(loop.now(), "board", "attach", {{"at", text}});
    }
    return true;
  }

  // --serial: UART0 becomes a pty before the device powers on (the banner goes there).
  bool open_serial() {
    std::string error;
    if (!device.serial().open_pty(error)) {
      Console::diagnostic("nodemcu-emu: --serial: " + error);
      return false;
    }
    return true;
  }

  // The device sits at its prompt: only now the link appears, so a tool that waits for it does
  // not see the boot's output arrive after its first command.
  bool announce_serial() {
    std::string error;
    if (!device.serial().announce_pty(options.serial_link, error)) {
      Console::diagnostic("nodemcu-emu: " + error);
      return false;
    }
    std::string where = device.serial().pty_path();
    if (!options.serial_link.empty()) where += " (linked at " + options.serial_link + ")";
    Console::diagnostic("nodemcu-emu: UART0 on " + where);
    return true;
  }

  int run() {
    if (options.show_version) print_version();
    if (options.trace && !trace.open(options.trace_file, options.trace_json)) {
      Console::diagnostic("nodemcu-emu: cannot open trace file " + options.trace_file);
      return 2;
    }
    if (!wire_attachments()) return 2;
    if (!options.lfs_dir.empty() && !load_lfs_dir()) return 2;
    loop.stop_on_signals();
    if (options.serial && !open_serial()) return 2;
    if (!device.power_on([this](Device& d) { return boot_program(d); })) {
      device.write_coverage();  // a failing script's coverage is what shows where it failed
      return core::interrupt::pending() ? core::interrupt::exit_status() : 1;
    }
    if (options.serial && !announce_serial()) return 2;
    // The device's console: the serial port hands it complete lines.
    if (has_console()) device.serial().attach_console();
    std::optional<core::Micros> limit;
    if (options.run_for_seconds)
      limit = core::Micros(static_cast<long long>(*options.run_for_seconds * 1e6));
    int status = loop.run(limit);
    device.write_coverage();
    return status;
  }
};

Emulator::Emulator(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Emulator::~Emulator() = default;
int Emulator::run() { return impl_->run(); }

}  // namespace nodemcu_emu
