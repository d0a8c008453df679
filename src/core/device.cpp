#include "core/device.hpp"

#include <cstdlib>
#include <cstring>

#include "core/flash_fs.hpp"
#include "core/flash_loader.hpp"
#include "core/interrupt.hpp"
#include "lua/call.hpp"
#include "lua/embedded.hpp"
#include "lua/heap_budget.hpp"
#include "lua/host_spawn.hpp"

namespace nodemcu_emu::core {

// The counting allocator behind node.heap(). The budget is enforced only when --heap is given:
// host Lua objects are about twice the size of the device's (64-bit pointers, no ROM tables), so
// a device-sized limit by default would fail scripts that fit on the chip. Without --heap a hard
// ceiling still applies: a corrupt .lc asks the loader for a string of SIZE_MAX bytes, and no
// such request may reach the real allocator (it aborts under ASan, or overcommits the host).
// The budget allocator (lua/heap_budget.hpp) and the device it belongs to (Device::from).
struct Device::Heap : lua::HeapBudget {
  Device* device = nullptr;
};

namespace {
// A typical ESP8266 free heap right after boot with net and wifi up.
constexpr std::size_t k_default_heap = 44 * 1024;

// print() writes to the device console (UART or node.output), not straight to stdout. The
// line is built on the Lua stack: tostring may raise, and a Lua error must not skip C++
// destructors.
int console_print(lua_State* L) {
  int n = lua_gettop(L);
  luaL_checkstack(L, 2 * n + 3, "too many arguments to 'print'");
  lua_getglobal(L, "tostring");
  int tostring = lua_gettop(L);
  for (int i = 1; i <= n; i++) {
    if (i > 1) lua_pushliteral(L, "\t");
    lua_pushvalue(L, tostring);
    lua_pushvalue(L, i);
    lua_call(L, 1, 1);
    if (!lua_isstring(L, -1)) return luaL_error(L, "'tostring' must return a string to 'print'");
  }
  lua_pushliteral(L, "\n");
  lua_concat(L, lua_gettop(L) - tostring);
  size_t len = 0;
  const char* line = lua_tolstring(L, -1, &len);
  Device::from(L).console().write(std::string_view(line, len));
  return 0;
}

// os.exit ends the process at once (the emu helper ends a test file so): the coverage is written
// first. The one `os` table is wrapped, which the emu helper keeps even without --host-libs.
int exit_writing_coverage(lua_State* L) {
  Device::from(L).write_coverage();
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 0);
  return 0;
}

void write_coverage_at_exit(lua_State* L) {
  lua_getglobal(L, "os");
  lua_getfield(L, -1, "exit");
  lua_pushcclosure(L, exit_writing_coverage, 1);
  lua_setfield(L, -2, "exit");
  lua_pop(L, 1);
}

// NodeMCU's Lua has no io, no os and no C modules: without --host-libs a script gets the
// device's globals only. package.loaded loses them too, or require "io" would bring io back.
void remove_host_libs(lua_State* L) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaded");
  for (const char* lib : {"io", "os"}) {
    lua_pushnil(L);
    lua_setglobal(L, lib);
    lua_pushnil(L);
    lua_setfield(L, -2, lib);
  }
  lua_pop(L, 1);
  for (const char* field : {"loadlib", "cpath"}) {
    lua_pushnil(L);
    lua_setfield(L, -2, field);
  }
  lua_pop(L, 1);
}
}  // namespace

Device::Device(EventLoop& loop, const Options& options, Trace& trace, ModuleOpener open_modules)
    : loop_(loop), options_(options), open_modules_(open_modules), trace_(trace), tasks_(loop) {
  console_.set_uart([this](std::string_view text) { serial_.transmit(text, SerialPort::Tx::text); });
  // --epoch: the chip comes up with its RTC already set (as after an earlier sync and a reset).
  if (options.coverage_file) coverage_ = std::make_unique<Coverage>(options.fs_dir);
  if (options.epoch_now)
    rtc_.set_epoch_us(loop.now(), static_cast<std::uint64_t>(host_calendar_time().count()));
  else if (options.epoch_seconds)
    rtc_.set_epoch_us(loop.now(), static_cast<std::uint64_t>(*options.epoch_seconds * 1e6 + 0.5));
  if (options.lfs_size > 0) {
    lfs_.addr = LfsFlash::k_default_addr;
    lfs_.size = options.lfs_size;
  }
}

Device::~Device() { close_state(); }

void Device::write_coverage() const {
  if (coverage_ && !coverage_->write(*options_.coverage_file))
    Console::diagnostic("nodemcu-emu: --coverage: cannot write " + *options_.coverage_file);
}

Device& Device::from(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return *static_cast<Heap*>(static_cast<lua::HeapBudget*>(ud))->device;
}

std::string Device::trace_time_label() const {
  auto t = loop_.now().count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(t / 1000000),
                static_cast<long long>(t % 1000000));
  return buf;
}

void Device::open_state() {
  heap_ = std::make_unique<Heap>();
  heap_->device = this;
  heap_->budget = options_.heap_bytes.value_or(k_default_heap);
  L_ = lua_newstate(&lua::HeapBudget::alloc, static_cast<lua::HeapBudget*>(heap_.get()));
  if (L_ == nullptr) throw std::bad_alloc();
  interrupt::watch(L_);
  lua_life_ = lua::install_state_life(L_);
  lua::prepare_registry(L_);
  lua_atpanic(L_, [](lua_State* L) -> int {
    Console::diagnostic(std::string("PANIC: unprotected error in call to Lua API (") +
                        lua::error_text(L, -1) + ")");
    std::exit(1);
  });
  luaL_openlibs(L_);
  lua::close_descriptors_in_children(L_);  // before anything copies io/os
  if (coverage_) {
    coverage_->attach(L_);
    write_coverage_at_exit(L_);
  }
  lua::install_protected_calls(L_);
  lua::preload_embedded(L_);
  lua_register(L_, "print", console_print);
  install_flash_loaders(L_, options_.host_libs);
  if (!options_.host_libs) remove_host_libs(L_);
  open_modules_(L_);
  heap_->baseline = heap_->used;
  heap_->enforce = options_.heap_bytes.has_value();
  if (heap_->enforce) {
    // Stand-in for the firmware's emergency GC (Lua 5.1 has none): collect continuously, so
    // garbage does not eat the budget. It costs speed, as EGC_ALWAYS does on the chip. Set
    // before the collection below, which computes the next threshold from it.
    lua_gc(L_, LUA_GCSETPAUSE, 100);
    lua_gc(L_, LUA_GCSETSTEPMUL, 1000);
  } else {
    // Unbounded: Lua's own pause (a cycle starts when the heap is twice what the last one
    // left). A longer pause (400 was tried) halves the collector's work per byte for a TCP echo
    // of 1460-byte frames, but the datagrams of a UDP echo differ only in bytes that Lua 5.1's
    // sampled string hash skips: each new one is compared with every datagram string not yet
    // swept, and four times the heap made that chain three times longer (UDP server CPU
    // +40 %, rr-close +5 %, echo 1460 B -7 %: docs/performance.md, eighth pass).
    lua_gc(L_, LUA_GCSETPAUSE, 200);
  }
  lua_gc(L_, LUA_GCCOLLECT, 0);
  heap_->baseline = heap_->used;
}

void Device::close_state() {
  if (L_ == nullptr) return;
  dispatch_body_ref_ = traceback_ref_ = LUA_NOREF;
  error_handler_.reset();
  case_error_hook_.reset();
  tasks_.clear();
  console_.restore();
  repl_.reset();
  interrupt::forget(L_);
  lua_close(L_);  // runs every __gc: sockets close, timers stop, refs are released
  L_ = nullptr;
  lua::end_state_life(std::exchange(lua_life_, nullptr));  // Refs still held by pending handlers now release nothing
  station_probe_ = nullptr;
  module_states_.clear();
  board_.drop_script_models();
  heap_.reset();
}

bool Device::power_on(BootProgram program) {
  program_ = std::move(program);
  halted_ = false;
  ++boots_;
  boot_reason_ = next_boot_reason_;
  boot_time_ = loop_.now();
  open_state();
  return program_(*this);
}

std::size_t Device::heap_used() const { return heap_ ? heap_->used : 0; }
std::size_t Device::heap_baseline() const { return heap_ ? heap_->baseline : 0; }

void Device::exclude_from_heap(long long bytes) {
  if (!heap_) return;
  if (bytes < 0 && static_cast<std::size_t>(-bytes) > heap_->baseline)
    heap_->baseline = 0;
  else
    heap_->baseline = static_cast<std::size_t>(static_cast<long long>(heap_->baseline) + bytes);
}

std::size_t Device::heap_free() const {
  if (!heap_) return 0;
  std::size_t since_boot = heap_->used > heap_->baseline ? heap_->used - heap_->baseline : 0;
  return since_boot >= heap_->budget ? 0 : heap_->budget - since_boot;
}

void Device::reboot_after_error(Micros delay, int reason) {
  if (options_.on_error == OnError::continue_) return;
  schedule_reboot(delay, RebootCause::error, reason);
}

void Device::restart() { schedule_reboot(Micros(0), RebootCause::restart_call, 4); }

void Device::deep_sleep(Micros duration) {
  if (halted_) return;  // already going down (a second dsleep, or after restart): first one wins
  halted_ = true;
  next_boot_reason_ = 5;
  // The chip is off: nothing of this boot survives, and it wakes after `duration`.
  loop_.post(lifetime_.guard([this, duration] {
    close_state();
    if (!reboots()) {
      loop_.stop(0);
      return;
    }
    auto keep = std::make_shared<EventLoop::KeepAlive>(loop_.keep_alive());
    loop_.call_after(duration, lifetime_.guard([this, keep] {
      if (!power_on(program_)) loop_.stop(1);
    }));
  }));
}

void Device::schedule_reboot(Micros delay, RebootCause cause, int reason) {
  int boot = boots_;
  auto reboot = lifetime_.guard([this, cause, reason, boot] {
    // A delayed reboot dies with the boot that scheduled it, like the chip's os_timer; the
    // first one due wins.
    if (boot != boots_ || halted_ || loop_.stopping()) return;
    halted_ = true;  // the running callback finishes; no other one starts
    next_boot_reason_ = reason;
    // Tear down outside any Lua call: the reboot runs as its own loop turn.
    loop_.post(lifetime_.guard([this, cause] {
      close_state();
      bool again = cause == RebootCause::error ? options_.on_error == OnError::restart
                                               : reboots();
      if (!again) {
        if (cause == RebootCause::error)
          Console::diagnostic("nodemcu-emu: the device reboots here; exiting (--on-error=panic)");
        loop_.stop(cause == RebootCause::error ? 1 : 0);
        return;
      }
      Console::diagnostic("nodemcu-emu: device restart");
      if (!power_on(program_)) loop_.stop(1);
    }));
  });
  if (delay.count() == 0)
    reboot();
  else
    loop_.call_after(delay, reboot);
}

bool Device::flash_has(const std::string& name) { return flash::flash_of(*this).exists(name); }

namespace {
// Loads the flash file named by the argument, raising its load error (no traceback: nothing ran).
int load_for_run(lua_State* L) {
  if (load_flash_chunk(L, luaL_checkstring(L, 1)) != 0) return lua_error(L);
  return 1;
}
}  // namespace

bool Device::run_file(const std::string& name) {
  lua_pushcfunction(L_, load_for_run);
  lua_pushlstring(L_, name.data(), name.size());
  if (int status = lua_pcall(L_, 1, 1, 0); status != 0) {
    lua::collect_after_memory_error(L_, status);
    Console::diagnostic(lua::error_text(L_, -1));
    lua_pop(L_, 1);
    return false;
  }
  std::string error;
  if (!lua::pcall_traceback(L_, 0, 0, error)) {
    Console::diagnostic(error);
    return false;
  }
  return true;
}

}  // namespace nodemcu_emu::core
