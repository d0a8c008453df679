// Name resolution for net (connect to a host name, sck:dns, net.dns.resolve): a dotted quad
// answers at once; a name goes to --hosts (authoritative: nothing leaves the machine) or to the
// host's resolver through Asio. At most `--limits dns=N` queries are in flight (DNS_TABLE_SIZE).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/device.hpp"

namespace nodemcu_emu::net {

class DnsResolver {
 public:
  // ip is empty when the name did not resolve.
  using Callback = std::function<void(std::optional<std::uint32_t> ip)>;

  explicit DnsResolver(core::Device& d);

  // What dns_gethostbyname would return before any query: err_t k_ok with `ip` filled in
  // for a dotted quad, k_err_inprogress when a query was started (cb fires later),
  // k_err_arg for an empty or >= 256-char name, k_err_mem when the table is full.
  int lookup(const std::string& name, std::uint32_t& ip, Callback cb);

  // DNS servers (net.dns.getdnsserver/setdnsserver): DNS_MAX_SERVERS slots.
  std::uint32_t server(int index) const;
  void set_server(int index, std::uint32_t ip);

 private:
  void load_hosts();

  core::Device& device_;
  // Shared with pending queries: the resolver (module state) dies at reboot before they end.
  std::shared_ptr<int> in_flight_ = std::make_shared<int>(0);
  std::map<std::string, std::uint32_t> hosts_;
  bool hosts_authoritative_ = false;
  std::uint32_t servers_[8] = {};
};

DnsResolver& dns_resolver(core::Device& d);

}  // namespace nodemcu_emu::net
