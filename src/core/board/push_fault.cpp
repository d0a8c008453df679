#include "core/board/push_fault.hpp"

#include "core/device.hpp"
#include "lua/protected_push.hpp"

namespace nodemcu_emu::core::board {

bool push_fault(lua_State* L) {
  auto fault = Device::from(L).board().take_fault();
  if (!fault) return false;
  lua::protected_push(L, *fault);
  return true;
}

}  // namespace nodemcu_emu::core::board
