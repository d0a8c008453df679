// An errno as the error_code Asio would report for it: the sockets the emulator drives itself
// (TCP on the Poller, UDP with recvmmsg/sendmmsg) report failures exactly as its Asio ones do.
#pragma once

#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>

namespace nodemcu_emu::core::ip {

inline boost::system::error_code from_errno(int err) {
  return {err, boost::asio::error::get_system_category()};
}

}  // namespace nodemcu_emu::core::ip
