#include "core/ip/dns_resolver.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/ip/address.hpp"
#include "core/ip/lwip_errors.hpp"

namespace nodemcu_emu::net {

namespace {
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

DnsResolver::DnsResolver(core::Device& d) : device_(d) {
  servers_[0] = *parse_ipv4("208.67.222.222");  // lwIP's default (dns.c), until DHCP says otherwise
  load_hosts();
}

void DnsResolver::load_hosts() {
  const std::string& file = device_.options().hosts_file;
  if (file.empty()) return;
  hosts_authoritative_ = true;
  std::ifstream in(file);
  if (!in) {
    core::Console::diagnostic("nodemcu-emu: cannot read --hosts file " + file);
    return;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string address, name;
    if (!(words >> address)) continue;
    auto ip = parse_ipv4(address);
    if (!ip) continue;  // IPv6 lines: lwIP 1.4 on the device has no IPv6
    while (words >> name) hosts_.emplace(lower(name), *ip);
  }
}

int DnsResolver::lookup(const std::string& name, std::uint32_t& ip, Callback cb) {
  if (name.empty() || name.size() >= 256) return k_err_arg;
  // dns_gethostbyname: a dotted quad needs no query (except the broadcast address).
  if (auto quad = parse_ipv4(name); quad && *quad != 0xFFFFFFFFu) {
    ip = *quad;
    return k_ok;
  }
  int limit = device_.options().limits.dns_table;
  if (limit > 0 && *in_flight_ >= limit) return k_err_mem;
  ++*in_flight_;
  auto& loop = device_.loop();
  auto keep = std::make_shared<core::EventLoop::KeepAlive>(loop.keep_alive());
  auto finish = [in_flight = in_flight_, cb, keep](std::optional<std::uint32_t> result) {
    --*in_flight;
    cb(result);
  };
  if (hosts_authoritative_) {
    // Answer on a later turn, as a query would: the device never answers inside the call.
    auto it = hosts_.find(lower(name));
    std::optional<std::uint32_t> result;
    if (it != hosts_.end()) result = it->second;
    loop.post([finish, result] { finish(result); });
    return k_err_inprogress;
  }
  auto resolver = std::make_shared<boost::asio::ip::tcp::resolver>(loop.io());
  // The host's resolver answers in real time (a thread, maybe a real DNS server): under virtual
  // time the clock must not jump past the script's next timer while the answer is on its way
  // (a UDP connect to "localhost" followed by a send 100 ms later, on a loaded machine). Held
  // like an outside peer: for up to --peer-grace of real time, ended by the answer.
  auto hold = loop.peers().hold();
  resolver->async_resolve(
      boost::asio::ip::tcp::v4(), name, "",
      [resolver, finish, hold](const boost::system::error_code& ec,
                               boost::asio::ip::tcp::resolver::results_type results) mutable {
        hold.reset();
        std::optional<std::uint32_t> result;
        if (!ec)
          for (const auto& entry : results)
            if (entry.endpoint().address().is_v4()) {
              result = entry.endpoint().address().to_v4().to_uint();
              break;
            }
        finish(result);
      });
  return k_err_inprogress;
}

std::uint32_t DnsResolver::server(int index) const { return servers_[index]; }
void DnsResolver::set_server(int index, std::uint32_t ip) { servers_[index] = ip; }

DnsResolver& dns_resolver(core::Device& d) { return d.module_state<DnsResolver>(); }

}  // namespace nodemcu_emu::net
