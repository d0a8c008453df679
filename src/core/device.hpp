// One emulated chip: a lua_State, its options, its per-module state, its console and trace.
// Everything a module keeps per device hangs off here, so several devices can share a loop.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/board/board.hpp"
#include "core/console.hpp"
#include "core/coverage.hpp"
#include "core/function_ref.hpp"
#include "core/serial_port.hpp"
#include "core/rtc.hpp"
#include "core/event_loop.hpp"
#include "core/lfs_image.hpp"
#include "core/task_queue.hpp"
#include "core/trace.hpp"
#include "lua/lua.hpp"
#include "lua/ref.hpp"
#include "core/repl.hpp"
#include "nodemcu_emu/options.hpp"

namespace nodemcu_emu::core {

// How a callback is protected on the device.
enum class Protection {
  unprotected,  // plain lua_call (all of net): an error is a PANIC and the chip reboots
  pcallx,       // luaL_pcallx (tmr, node.task, wifi events): error goes to the onerror handler
};

// What a callback's push does. `plain`: it pushes only values that already exist (registry
// references, integers, booleans, nil; at most 4 values with the function), which allocate
// nothing and so cannot raise: the callback is then called by lua_pcall itself, without the
// protected C function that pushes of new values (strings, tables) need around them (a quarter
// of the dispatch's instructions: docs/performance.md).
enum class Pushes { may_allocate, plain };

class Device {
 public:
  // What runs at power-on: the boot script or the command line's chunks. Returns false when it
  // failed in a way that ends the emulator (it has already reported the error).
  using BootProgram = std::function<bool(Device&)>;
  // Opens the NodeMCU modules into a fresh state (core does not know the modules).
  using ModuleOpener = void (*)(lua_State*);

  Device(EventLoop& loop, const Options& options, Trace& trace, ModuleOpener open_modules);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  static Device& from(lua_State* L);

  lua_State* L() const { return L_; }
  EventLoop& loop() { return loop_; }
  const Options& options() const { return options_; }
  Console& console() { return console_; }
  Trace& trace() { return trace_; }
  TaskQueue& tasks() { return tasks_; }
  // The interactive interpreter (UART prompt, -i, node.input); its pending lines die at reboot.
  Repl& repl() { return repl_; }
  // UART0's receive side: the one reader of stdin (console lines, uart.on frames).
  SerialPort& serial() { return serial_; }
  // Time since this device last booted (tmr.now, tmr.time).
  Micros uptime() const { return loop_.now() - boot_time_; }
  std::string trace_time_label() const;

  // The chip is switched off for good: the Lua state closes (every socket and timer with it).
  void power_off() { close_state(); }

  // Creates the Lua state and runs the boot program. Returns false if the emulator should end.
  bool power_on(BootProgram program);

  // Pushes a callback's arguments (after the function, which is already pushed) and returns
  // their count. It runs inside the protected call: it may raise (out of memory), so it must
  // keep no C++ object with a destructor in its own frame.
  using PushArgs = FunctionRef<int(lua_State*)>;
  // Pushes a function and its arguments, returning the argument count (see PushArgs).
  using PushCall = FunctionRef<int(lua_State*)>;
  // Calls `fn` (nothing happens if it is empty or the device has halted) with the arguments
  // `args` pushes, no results, all inside one protected call; an error is reported the way the
  // device would (`protection`) and traced. Returns false on error or when nothing was called.
  // Every call from native code into a script goes through here.
  // An empty `args` pushes nothing (then the call is Pushes::plain by itself).
  bool dispatch(const lua::Ref& fn, Protection protection, PushArgs args = {},
                Pushes pushes = Pushes::may_allocate);
  // The same for a function that `push` pushes itself, before its arguments (a handler kept in
  // a lua::RefArray); returns the argument count. The caller checks that there is a handler.
  bool dispatch_pushed(Protection protection, PushCall push, Pushes pushes = Pushes::may_allocate);
  // Dispatches `fn` from the task queue at `priority` on a later turn; with `with_priority` it
  // gets the priority as its argument (node.task.post's tasks). Never refused: the caller
  // decides about the queue's length (TaskQueue::full).
  void post_call(int priority, lua::Ref fn, Protection protection, bool with_priority = false);
  // True from a fatal error or restart until the next boot: no callback may run.
  bool halted() const { return halted_; }
  // While halted: the reset reason of the boot to come (4 node.restart, 5 deep sleep, else an
  // error: node.bootreason's numbers), for whoever needs to say why the device stopped.
  int halt_reason() const { return next_boot_reason_; }
  // After an error is printed: one "nodemcu-emu: hint:" line on stderr when the error is a
  // call or index of a name this profile lacks but another has, or a module the firmware has
  // and the emulator not yet (core/hints.cpp).
  void print_hint(const std::string& error) const;

  // node.restart(): reboot (--boot, --serial) or end the emulator with status 0.
  void restart();
  // Whether a restart or a deep-sleep wake boots again (else the emulator ends): under --boot,
  // and on the --serial pty, where a tool expects the board back at its prompt.
  bool reboots() const { return options_.boot || options_.serial; }
  // Where the device would reboot after an error (now, or after `delay` as the default onerror
  // handler does): --on-error decides. `reason` is what node.bootreason() reports next boot
  // (2 exception; 4 software restart, as system_restart() after an error gives).
  void reboot_after_error(Micros delay = Micros(0), int reason = 2);
  // node.dsleep: the chip is off for `duration`, then boots again (or the emulator ends).
  void deep_sleep(Micros duration);

  // node.bootreason(): the extended reason of the last boot (0 power-on, 1 hw WDT, 2 exception,
  // 3 soft WDT, 4 software restart, 5 deep-sleep wake, 6 external reset).
  int boot_reason() const { return boot_reason_; }

  // node.setonerror: the handler errors from pcallx callbacks are passed to (empty: default).
  void set_error_handler(lua::Ref handler) { error_handler_ = std::move(handler); }
  // The `emu` test helper's hook, set while one of its cases runs (emu.native): an error in a
  // callback that would reboot the device (a PANIC, or a pcallx error with no node.setonerror
  // handler) is handed to hook(message) instead, so that the case fails with its traceback and
  // the test file goes on to the next case. Empty: no hook, the device's behaviour.
  void set_case_error_hook(lua::Ref hook) { case_error_hook_ = std::move(hook); }

  // Lua heap as node.heap() reports it: the budget less what the script allocated since boot.
  std::size_t heap_free() const;
  std::size_t heap_used() const;
  std::size_t heap_baseline() const;
  // Leaves `bytes` (negative: gives back) out of what node.heap() counts as the script's: a test
  // framework's own memory (emu.busted), which the device would never hold.
  void exclude_from_heap(long long bytes);
  // node.heap() counts from what the heap holds now, as right after boot.
  void rebase_heap() {
    if (heap_) exclude_from_heap(static_cast<long long>(heap_used()) - static_cast<long long>(heap_baseline()));
  }

  // Per-device state of a module, created on first use and dropped at every reboot, after the
  // Lua state is closed. It is where a module keeps its callbacks (lua::Ref slots: they hold
  // the state's token, so dropping them after the state closed releases nothing).
  template <class T>
  T& module_state() {
    // A slot per type, numbered on first use: a vector index on the hot path (every socket
    // event asks for its module's state), not a hash of the type's name.
    static const std::size_t slot = next_module_slot();
    if (slot < module_states_.size() && module_states_[slot])
      return *static_cast<T*>(module_states_[slot].get());
    auto state = std::make_shared<T>(*this);  // may ask for other states: resize after it
    if (slot >= module_states_.size()) module_states_.resize(slot + 1);
    module_states_[slot] = state;
    return *state;
  }

  // Whether the station has an IP (a route to anywhere): wifi installs the probe, net asks it.
  // Without a wifi module the network is simply up.
  void set_station_probe(std::function<bool()> probe) { station_probe_ = std::move(probe); }
  bool station_online() const { return !station_probe_ || station_probe_(); }

  // The RTC (rtctime's time of day, rtcmem's words): it survives restart and deep sleep.
  Rtc& rtc() { return rtc_; }
  // The simulated devices wired to the chip (--attach, emu.attach): they survive restart and
  // deep sleep too, except models written in Lua, which go with the Lua state.
  board::Board& board() { return board_; }
  // The LFS partition and its image (profile 3): flash, so it survives restarts too.
  LfsFlash& lfs() { return lfs_; }

  // Native objects (sockets, servers) alive on this device, for leak tests (emu.live_objects).
  void native_created() { ++live_natives_; }
  void native_destroyed() { --live_natives_; }
  long live_natives() const { return live_natives_; }

  // --coverage: the line counts (kept across reboots), null without it; write_coverage() writes
  // the file (at the end of the run, and before os.exit).
  Coverage* coverage() const { return coverage_.get(); }
  void write_coverage() const;

  // Runs the flash file `name` (init.lua at boot). Errors are reported; returns success.
  bool run_file(const std::string& name);
  // Whether the flash holds a file `name`.
  bool flash_has(const std::string& name);

 private:
  struct Heap;
  enum class RebootCause { restart_call, error };
  void open_state();
  void close_state();
  void schedule_reboot(Micros delay, RebootCause cause, int reason);
  // Runs `push` and the call it sets up inside one protected call with a traceback; returns
  // the status (0 on success) with the error text in `error`. After a memory error it collects.
  int run_protected(PushCall push, std::string& error);
  // The same for a Pushes::plain push: lua_pcall on the callback directly.
  int run_plain(PushCall push, std::string& error);
  // The status of a finished lua_pcall (the error in `error`), the stack back at `base`.
  int finish_call(int status, int base, std::string& error);
  void report_callback_error(const std::string& error, Protection protection);
  void report_pcallx_error(const std::string& error);

  EventLoop& loop_;
  const Options& options_;
  ModuleOpener open_modules_;
  Trace& trace_;
  Console console_;
  TaskQueue tasks_;
  Repl repl_{console_};
  SerialPort serial_{*this};
  std::unique_ptr<Heap> heap_;
  std::unique_ptr<Coverage> coverage_;
  lua_State* L_ = nullptr;
  lua::StateLife* lua_life_ = nullptr;  // ended when L_ closes (see lua::Ref)
  // run_protected's two C functions, kept in the registry's array part of L_ (a rawgeti each
  // per callback instead of a pointer-keyed hash lookup); LUA_NOREF until the first call.
  int dispatch_body_ref_ = LUA_NOREF;
  int traceback_ref_ = LUA_NOREF;
  Micros boot_time_{0};
  BootProgram program_;
  bool halted_ = false;
  int boots_ = 0;
  int boot_reason_ = 0;
  long live_natives_ = 0;
  std::function<bool()> station_probe_;
  int next_boot_reason_ = 0;
  lua::Ref error_handler_;
  lua::Ref case_error_hook_;
  bool hand_to_case_hook(const std::string& error);
  int call_error_handler(const lua::Ref& handler, const std::string& error, std::string& failure);
  static std::size_t next_module_slot() {
    static std::size_t count = 0;  // type numbering only, the same for every device
    return count++;
  }
  std::vector<std::shared_ptr<void>> module_states_;
  Rtc rtc_;
  board::Board board_;
  LfsFlash lfs_;
  Lifetime lifetime_;  // reboots and wake-ups pending on the loop do nothing once this is gone
};

}  // namespace nodemcu_emu::core
