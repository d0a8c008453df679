#include "core/ip/lwip_errors.hpp"

#include <boost/asio/error.hpp>

namespace nodemcu_emu::net {

const char* lwip_error_text(int err) {
  static const char* const texts[] = {
      "no error",        "out of memory",      "buffer error",      "timeout",
      "routing problem", "in progress",        "illegal value",     "would block",
      "connection aborted", "connection reset", "connection closed", "not connected",
      "illegal argument", "address in use",    "netif error",       "already connected",
  };
  if (err > 0 || err < -15) return "unknown error";
  return texts[-err];
}

Err lwip_error_from(const boost::system::error_code& ec) {
  namespace e = boost::asio::error;
  if (ec == e::connection_refused || ec == e::connection_reset || ec == e::broken_pipe)
    return k_err_rst;
  if (ec == e::address_in_use) return k_err_use;
  if (ec == e::host_unreachable || ec == e::network_unreachable) return k_err_rte;
  return k_err_abrt;
}

}  // namespace nodemcu_emu::net
