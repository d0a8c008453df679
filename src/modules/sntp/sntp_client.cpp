#include "modules/sntp/sntp_client.hpp"

#include <array>

#include "core/ip/address.hpp"
#include "core/ip/dns_resolver.hpp"
#include "core/ip/lwip_errors.hpp"

namespace nodemcu_emu::sntp {

namespace {
// The firmware keeps "kiss of death" marks in one 32-bit word: a server past the 32nd of a long
// list can never be marked (a shift by 32 or more is undefined in C; here it marks nothing).
std::uint32_t kod_bit(int index) { return index >= 0 && index < 32 ? 1u << index : 0u; }
}  // namespace


namespace asio = boost::asio;
using asio::ip::udp;

namespace {
Outcome failure(int code, std::optional<std::string> detail) {
  Outcome o;
  o.error = code;
  o.detail = std::move(detail);
  return o;
}
}  // namespace

// The pcb and its receive buffer, shared with the pending receive so that closing the socket
// never frees memory an aborted operation still refers to.
struct SntpClient::Channel {
  explicit Channel(asio::io_context& io) : socket(io) {}
  udp::socket socket;
  udp::endpoint from;
  std::array<std::uint8_t, 1500> buffer{};
};

SntpClient::SntpClient(core::Device& d, std::shared_ptr<Persistent> persistent, bool on_timeout,
                       Done done)
    : device_(d),
      persistent_(std::move(persistent)),
      on_timeout_(on_timeout),
      done_(std::move(done)),
      keep_(d.loop().keep_alive()) {
  device_.native_created();
}

SntpClient::~SntpClient() {
  if (channel_) {
    boost::system::error_code ignored;
    channel_->socket.close(ignored);
  }
  device_.native_destroyed();
}

bool SntpClient::open() {
  channel_ = std::make_shared<Channel>(device_.loop().io());
  boost::system::error_code ec;
  auto own = net::bind_address(device_);
  channel_->socket.open(own.is_v6() ? udp::v6() : udp::v4(), ec);
  if (!ec) channel_->socket.bind({own, 0}, ec);
  if (ec) return false;
  receive();
  return true;
}

void SntpClient::receive() {
  auto channel = channel_;
  channel->socket.async_receive_from(
      asio::buffer(channel->buffer), channel->from,
      [weak = weak_from_this(), channel](const boost::system::error_code& ec, std::size_t n) {
        auto self = weak.lock();
        if (ec || !self || self->finished_) return;
        auto from = channel->from.address();
        std::uint32_t ip = from.is_v4() ? from.to_v4().to_uint() : 0;
        self->receive();
        self->on_datagram(channel->buffer.data(), n, ip);
      });
}

void SntpClient::start_lookups(std::vector<std::string> names) {
  names_ = std::move(names);
  lookup_pos_ = 0;
  if (names_.empty()) {
    send_next();
    return;
  }
  persistent_->servers.clear();
  lookup_next();
}

bool SntpClient::start_single(const std::string& name) {
  persistent_->servers.clear();
  std::uint32_t ip = 0;
  int err = net::dns_resolver(device_).lookup(
      name, ip, [weak = weak_from_this()](std::optional<std::uint32_t> answer) {
        auto self = weak.lock();
        if (!self) return;
        if (answer) self->persistent_->servers.push_back(*answer);
        // sntp_dns_found posts SNTP_DOLOOKUPS_ID; without a list that goes on to sending.
        self->device_.loop().post([weak] {
          if (auto s = weak.lock()) s->send_next();
        });
      });
  if (err == net::k_err_arg) return false;
  if (err == net::k_err_inprogress) return true;
  // ERR_OK (a dotted quad) fills the slot; any other refusal counts a slot never filled.
  persistent_->servers.push_back(err == net::k_ok ? ip : 0);
  send_next();
  return true;
}

void SntpClient::lookup_next() {
  auto& servers = persistent_->servers;
  while (!finished_) {
    if (lookup_pos_ >= names_.size()) {
      // All invalid: the error names the first entry (sntp.c:637-643).
      if (servers.empty()) finish(failure(k_dns_error, names_.front()));
      else send_next();
      return;
    }
    const std::string& name = names_[lookup_pos_++];
    if (name.size() > 128) {
      finish(failure(k_dns_error, name));
      return;
    }
    std::uint32_t ip = 0;
    int err = net::dns_resolver(device_).lookup(
        name, ip, [weak = weak_from_this()](std::optional<std::uint32_t> answer) {
          auto self = weak.lock();
          if (!self) return;
          if (answer) self->persistent_->servers.push_back(*answer);
          self->device_.loop().post([weak] {
            if (auto s = weak.lock()) s->lookup_next();
          });
        });
    if (err == net::k_err_inprogress) return;
    if (err == net::k_err_arg) {
      finish(failure(k_dns_error, name));
      return;
    }
    // ERR_OK fills the slot; ERR_MEM (DNS table full) counts a slot the firmware never fills,
    // which the emulator leaves empty (0) so that it is skipped.
    servers.push_back(err == net::k_ok ? ip : 0);
  }
}

TimeVal SntpClient::device_time() const {
  auto now = device_.loop().now();
  std::uint64_t us = device_.rtc().epoch_us(now);
  if (us / 1000000 == 0) {
    // system_get_time(): 32-bit microseconds since boot.
    auto up = static_cast<std::uint32_t>(device_.uptime().count());
    return {up / 1000000, up % 1000000};
  }
  return {static_cast<std::uint32_t>(us / 1000000), static_cast<std::uint32_t>(us % 1000000)};
}

void SntpClient::send_next() {
  if (finished_) return;
  const auto& servers = persistent_->servers;
  auto count = static_cast<int>(servers.size());
  auto pos = schedule_.next(count, [&](int i) {
    return i < count && servers[i] != 0 && !(kod_bits_ & kod_bit(i));
  });
  if (!pos) {
    // task_post_high(SNTP_HANDLE_RESULT_ID): the result is handled on a later turn.
    device_.loop().post([weak = weak_from_this()] {
      if (auto s = weak.lock()) s->handle_result();
    });
    return;
  }
  cookie_ = to_ntp(device_time(), persistent_->leap.offset);
  auto request = build_request(cookie_);
  auto target = net::connect_target(device_, servers[*pos], k_ntp_port);
  boost::system::error_code ignored;  // "Ignore send errors -- let the timeout handle it"
  channel_->socket.send_to(asio::buffer(request), udp::endpoint(target.address(), target.port()),
                           0, ignored);
  if (device_.trace().enabled())
    device_.trace().emit(device_.loop().now(), "sntp", "send",
                         {{"server", net::format_ipv4(servers[*pos])}});
  retry_.start_after(device_.loop(), std::chrono::milliseconds(k_retry_ms),
                     [weak = weak_from_this()] {
                       if (auto s = weak.lock()) s->send_next();
                     });
}

void SntpClient::on_datagram(const std::uint8_t* data, std::size_t n, std::uint32_t from) {
  TimeVal now = device_time();  // taken first, as on_recv does
  auto reply = parse_reply(data, n);
  if (!reply) return;
  int pos = schedule_.position();
  const auto& servers = persistent_->servers;
  if (pos < 0 || pos >= static_cast<int>(servers.size())) return;
  if (servers[pos] != k_anycast && servers[pos] != from) return;  // unknown sender
  if (!(reply->origin == cookie_)) return;                         // unsolicited
  if (reply->leap == 3) {
    // Not synchronised. "DENY" is a kiss-o'-death: the server is skipped, and dropped for good
    // if it says so twice.
    if (reply->refid == std::array<char, 4>{'D', 'E', 'N', 'Y'}) {
      if (kod_bits_ & kod_bit(pos)) persistent_->servers[pos] = 0;
      else kod_bits_ |= kod_bit(pos);
    }
    return;
  }
  kod_bits_ &= ~kod_bit(pos);
  retry_.cancel();
  auto& leap = persistent_->leap;
  if (reply->leap) leap.pending = static_cast<std::uint8_t>(reply->leap);
  leap.update(static_cast<std::uint32_t>(device_.rtc().epoch_us(device_.loop().now()) / 1000000));
  Sample sample = measure(*reply, to_ntp(now, leap.offset));
  best_.offer(sample, from);
  if (device_.trace().enabled())
    device_.trace().emit(device_.loop().now(), "sntp", "reply",
                         {{"server", net::format_ipv4(from)},
                          {"stratum", std::to_string(sample.stratum)}});
  send_next();  // the next server (or the next round) at once
}

void SntpClient::handle_result() {
  if (finished_) return;
  if (!best_.any()) {
    persistent_->servers.clear();  // "Reset for next time"
    finish(failure(k_timeout_error, std::nullopt));
    return;
  }
  const Sample& s = best_.sample();
  Outcome outcome;
  outcome.time = apply_delta(device_time(), s.delta);
  auto now = device_.loop().now();
  auto& rtc = device_.rtc();
  if (on_timeout_ && small_enough_to_slew(s.delta)) {
    rtc.set_rate(now, persistent_->pll.step(s.delta));
  } else {
    // rtctime_settimeofday keeps the rate.
    rtc.set_epoch_us(now, std::uint64_t{outcome.time.sec} * 1000000 + outcome.time.usec);
  }
  outcome.server = best_.server();
  outcome.sample = s;
  outcome.pending_leap = persistent_->leap.pending;
  finish(std::move(outcome));
}

void SntpClient::finish(Outcome outcome) {
  if (finished_) return;
  finished_ = true;
  retry_.cancel();
  boost::system::error_code ignored;
  channel_->socket.close(ignored);  // cleanup(): udp_remove before any callback runs
  auto self = shared_from_this();   // done_ drops the module's reference to this
  done_(outcome);
}

}  // namespace nodemcu_emu::sntp
