// lwIP err_t values and the messages net.c raises for them (lwip_lua_checkerr, spec net.md 2.2).
// The numbers are also what "disconnection"/"reconnection" callbacks receive.
#pragma once

#include <boost/system/error_code.hpp>

namespace nodemcu_emu::net {

enum Err : int {
  k_ok = 0,
  k_err_mem = -1,
  k_err_buf = -2,
  k_err_timeout = -3,
  k_err_rte = -4,
  k_err_inprogress = -5,
  k_err_val = -6,
  k_err_wouldblock = -7,
  k_err_abrt = -8,
  k_err_rst = -9,
  k_err_clsd = -10,
  k_err_conn = -11,
  k_err_arg = -12,
  k_err_use = -13,
  k_err_if = -14,
  k_err_isconn = -15,
};

// The text net.c raises for an err_t ("unknown error" for values outside the table).
const char* lwip_error_text(int err);

// How a host socket error shows on the device: a reset is ERR_RST, the rest ERR_ABRT.
Err lwip_error_from(const boost::system::error_code& ec);

}  // namespace nodemcu_emu::net
