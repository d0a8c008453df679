// Device::dispatch: the one way native code calls a script's callback.
//
// The callback and its arguments are pushed *inside* the protected call: any push may raise
// "not enough memory" (a longjmp), and outside a protected call that would reach the panic
// handler and end the process from inside an Asio handler, whatever --on-error says.
#include <memory>
#include <string>

#include "core/device.hpp"
#include "core/interrupt.hpp"
#include "lua/call.hpp"
#include "lua/heap_budget.hpp"

namespace nodemcu_emu::core {

namespace {

struct Frame {
  Device::PushCall push;
};

// Runs protected: pushes the function and its arguments, then calls it.
int dispatch_body(lua_State* L) {
  auto* frame = static_cast<Frame*>(lua_touserdata(L, 1));
  lua_pop(L, 1);
  int nargs = frame->push(L);
  lua_call(L, nargs, 0);
  return 0;
}

struct Installed {
  int body = LUA_NOREF;
  int handler = LUA_NOREF;
};

// Files the two C functions in the registry (making a closure allocates: done under
// lua_cpcall, once per state).
int install_functions(lua_State* L) {
  auto* refs = static_cast<Installed*>(lua_touserdata(L, 1));
  lua_pushcfunction(L, dispatch_body);
  lua::begin_all_or_nothing(L);  // a new registry slot: whole or not at all (lua/heap_budget.hpp)
  refs->body = luaL_ref(L, LUA_REGISTRYINDEX);
  lua::end_all_or_nothing(L);
  lua_pushcfunction(L, lua::traceback_handler);
  lua::begin_all_or_nothing(L);
  refs->handler = luaL_ref(L, LUA_REGISTRYINDEX);
  lua::end_all_or_nothing(L);
  return 0;
}

std::string first_line_of_error(const std::string& error, std::string* traceback) {
  auto pos = error.find("\nstack traceback:");
  if (traceback) *traceback = pos == std::string::npos ? "" : error.substr(pos + 1);
  return pos == std::string::npos ? error : error.substr(0, pos);
}

}  // namespace

int Device::run_protected(PushCall push, std::string& error) {
  lua_State* L = L_;
  int base = lua_gettop(L);
  // The two C functions are made once per state; afterwards fetching them allocates nothing.
  if (dispatch_body_ref_ == LUA_NOREF) {
    Installed refs;
    int status = lua_cpcall(L, install_functions, &refs);
    if (status != 0) {
      error = lua::error_text(L, -1);
      lua_settop(L, base);
      return status;
    }
    dispatch_body_ref_ = refs.body;
    traceback_ref_ = refs.handler;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, traceback_ref_);
  lua_rawgeti(L, LUA_REGISTRYINDEX, dispatch_body_ref_);
  Frame frame{push};
  lua_pushlightuserdata(L, &frame);
  return finish_call(lua_pcall(L, 1, 0, base + 1), base, error);
}

int Device::run_plain(PushCall push, std::string& error) {
  lua_State* L = L_;
  int base = lua_gettop(L);
  // The handler and the push take at most 5 slots: within the LUA_MINSTACK a C function (or
  // the base level) is guaranteed, so not even the stack grows outside the protected call.
  constexpr int k_slots = 5;
  if (dispatch_body_ref_ == LUA_NOREF || base + k_slots > LUA_MINSTACK) return run_protected(push, error);
  lua_rawgeti(L, LUA_REGISTRYINDEX, traceback_ref_);
  int nargs = push(L);
  return finish_call(lua_pcall(L, nargs, 0, base + 1), base, error);
}

int Device::finish_call(int status, int base, std::string& error) {
  lua_State* L = L_;
  if (status != 0) {
    // A memory error skips the message handler: its value is the bare "not enough memory".
    error = lua::error_text(L, -1);
    // What the failed callback built is garbage now: the next callback must not fail for it.
    lua::collect_after_memory_error(L, status);
  }
  lua_settop(L, base);
  return status;
}

bool Device::dispatch(const lua::Ref& fn, Protection protection, PushArgs args, Pushes pushes) {
  if (!fn) return false;
  return dispatch_pushed(protection, [&fn, args](lua_State* L) {
    fn.push(L);
    return args ? args(L) : 0;
  }, args ? pushes : Pushes::plain);
}

bool Device::dispatch_pushed(Protection protection, PushCall push, Pushes pushes) {
  if (halted_ || L_ == nullptr) return false;
  std::string error;
  int status = pushes == Pushes::plain ? run_plain(push, error) : run_protected(push, error);
  if (status == 0) return true;
  // luaL_pcallx and the onerror handler came with 3.0: 1.5.4.1 and 2.2.1 call every callback
  // (timers, tasks, events) with a plain lua_call, so an error in one is an immediate PANIC.
  if (options_.firmware < 3) protection = Protection::unprotected;
  report_callback_error(error, protection);
  return false;
}

void Device::post_call(int priority, lua::Ref fn, Protection protection, bool with_priority) {
  auto shared = std::make_shared<lua::Ref>(std::move(fn));
  tasks_.post(priority, [this, shared, priority, protection, with_priority] {
    if (!with_priority) {
      dispatch(*shared, protection);
      return;
    }
    dispatch(*shared, protection, [priority](lua_State* L) {
      lua_pushinteger(L, priority);
      return 1;
    });
  });
}

// Calls handler(error) protected; returns the status, the handler's own error in `failure`.
int Device::call_error_handler(const lua::Ref& handler, const std::string& error, std::string& failure) {
  return run_protected(
      [&handler, &error](lua_State* L) {
        handler.push(L);
        lua_pushlstring(L, error.data(), error.size());
        return 1;
      },
      failure);
}

// Calls the emu case hook with the error; false when the hook itself failed (then the device's
// own handling goes on, so that the error is not lost).
bool Device::hand_to_case_hook(const std::string& error) {
  std::string hook_error;
  if (call_error_handler(case_error_hook_, error, hook_error) == 0) return true;
  Console::diagnostic("nodemcu-emu: the emu case error hook failed: " + hook_error);
  return false;
}

void Device::report_callback_error(const std::string& error, Protection protection) {
  // SIGINT/SIGTERM raised "interrupted!" inside the callback: not a script error (no PANIC,
  // no reboot); the loop stops with 128 + the signal, as lua.c does.
  if (interrupt::pending()) return;
  if (trace_.enabled()) trace_.emit(loop_.now(), "lua", "error", {{"error", first_line_of_error(error, nullptr)}});
  if (protection == Protection::unprotected) {
    std::string traceback;
    std::string message = first_line_of_error(error, &traceback);
    std::string panic = "PANIC: unprotected error in call to Lua API (" + message + ")\n" + traceback;
    // A running emu case takes the PANIC (it fails, the file goes on); a script's own
    // node.setonerror never sees PANICs, on the chip either.
    if (case_error_hook_ && hand_to_case_hook(panic)) return;
    Console::diagnostic(panic);
    print_hint(message);
    reboot_after_error();
  } else if (!error_handler_ && case_error_hook_ && hand_to_case_hook(error)) {
    // The default handler would reboot: the running emu case fails instead. A handler the
    // script installed (node.setonerror) still gets its errors, as on the device.
    return;
  } else {
    report_pcallx_error(error);
  }
}

// luaL_pcallx hands the error to the registered onerror handler in a high-priority task; the
// firmware's default handler prints it and restarts the chip 2 s later.
void Device::report_pcallx_error(const std::string& error) {
  tasks_.post(TaskQueue::high, [this, error] {
    if (halted_ || L_ == nullptr) return;
    if (error_handler_) {
      std::string handler_error;
      if (call_error_handler(error_handler_, error, handler_error) != 0) {
        Console::diagnostic(handler_error);
        reboot_after_error();
      }
      return;
    }
    Console::diagnostic(error);
    print_hint(error);
    // node.c default_onerror: system_restart() 2 s later, a software restart (reason 4).
    reboot_after_error(std::chrono::seconds(2), 4);
  });
}

}  // namespace nodemcu_emu::core
