#include "modules/net/udp_host.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/unicast.hpp>
#include <cerrno>
#include <cstring>

#include "core/ip/free_port.hpp"
#include "core/ip/errno_code.hpp"

namespace nodemcu_emu::net {

namespace asio = boost::asio;
using asio::ip::udp;
using core::ip::from_errno;

namespace {

// An Asio socket option applied to a plain descriptor (its level, name and value for the
// socket's protocol).
template <class Option>
bool set_udp_option(int fd, const udp& protocol, const Option& option,
                    boost::system::error_code& ec) {
  if (::setsockopt(fd, option.level(protocol), option.name(protocol), option.data(protocol),
                   static_cast<socklen_t>(option.size(protocol))) == 0)
    return true;
  ec = from_errno(errno);
  return false;
}

// Outbox bytes kept between bursts (the steady echo then allocates nothing); a bigger burst's
// buffer goes back.
constexpr std::size_t k_kept_outbox_bytes = 64 * 1024;

// How long a run of datagrams one message may carry (UDP_SEGMENT): the kernel's segment limit
// (UDP_MAX_SEGMENTS, 64 on older kernels) and the largest IP payload.
constexpr std::size_t k_max_run = 64;
constexpr std::size_t k_max_run_bytes = 65000;

}  // namespace

// One host socket in the Poller. Held by its UdpHost; a readiness holds it too, so that the
// listener may close the host (and drop it) in the middle of a batch.
struct UdpHost::Receiver : core::Poller::Client, std::enable_shared_from_this<Receiver> {
  Receiver(UdpHost& h, udp protocol) : host(&h), protocol(protocol) {}
  ~Receiver() override { close(); }

  UdpHost* host;  // null once closed
  udp protocol;
  int fd = -1;
  core::Poller::Watch watch;
  std::weak_ptr<Listener> listener;  // set while receiving
  bool receiving = false;
  bool want_out = false;  // the outbox waits for the socket to be writable

  void close() {
    if (fd < 0) return;
    watch.forget();  // a closed descriptor leaves the epoll set by itself
    ::close(std::exchange(fd, -1));
    host = nullptr;
    receiving = want_out = false;
  }

  // The interest the state asks for; the socket joins the Poller the first time it asks.
  void update_interest() {
    if (fd < 0) return;
    std::uint32_t events = (receiving ? EPOLLIN : 0u) | (want_out ? EPOLLOUT : 0u);
    if (watch) return watch.set(events);
    if (events == 0) return;
    boost::system::error_code ec;
    watch = host->loop_.poller().watch(fd, events, *this, ec);
  }

  void on_ready(std::uint32_t events) override {
    auto self = shared_from_this();
    if ((events & EPOLLOUT) != 0 && want_out && host != nullptr) host->writable();
    if (fd >= 0 && receiving && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) read_batch();
  }

  void read_batch();
  void deliver(ReadBuffers& b, int n);
};

UdpHost::ReadBuffers::ReadBuffers() {
  for (int i = 0; i < k_read_batch; ++i) {
    iov[i].iov_base = bytes.data() + static_cast<std::size_t>(i) * k_captured;
    iov[i].iov_len = k_captured;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
  }
}

// Up to k_read_batch datagrams, one system call. MSG_TRUNC: a datagram longer than a buffer
// reports its real length, so that the listener can tell (and drop) what the device could not
// take.
void UdpHost::Receiver::read_batch() {
  ReadBuffers* b = host->buffers_.get();
  std::unique_ptr<ReadBuffers> nested;
  if (b->busy) {  // a script ran the loop from inside a receive callback of this device
    nested = std::make_unique<ReadBuffers>();
    b = nested.get();
  }
  for (auto& m : b->msgs) m.msg_hdr.msg_namelen = sizeof(sockaddr_storage);
  int n;
  do {
    n = ::recvmmsg(fd, b->msgs.data(), k_read_batch, MSG_DONTWAIT | MSG_TRUNC, nullptr);
  } while (n < 0 && errno == EINTR);
  // An error (an ICMP report queued on the socket) loses no datagram: the socket stays ready,
  // and the next readiness reads on.
  if (n <= 0) return;
  struct InUse {
    ReadBuffers& b;
    explicit InUse(ReadBuffers& b) : b(b) { b.busy = true; }
    ~InUse() { b.busy = false; }
  } in_use(*b);
  deliver(*b, n);
}

void UdpHost::Receiver::deliver(ReadBuffers& b, int n) {
  auto l = listener.lock();
  udp::endpoint from;
  for (int i = 0; i < n && l && fd >= 0 && receiving; ++i) {
    const msghdr& h = b.msgs[i].msg_hdr;
    std::memcpy(from.data(), h.msg_name, std::min<std::size_t>(h.msg_namelen, from.capacity()));
    from.resize(std::min<std::size_t>(h.msg_namelen, from.capacity()));
    // The listener may close this socket, or leave the group, at any datagram.
    l->on_datagram(static_cast<const char*>(b.iov[i].iov_base), b.msgs[i].msg_len, from);
  }
}

UdpHost::UdpHost(core::EventLoop& loop, asio::ip::address own, std::shared_ptr<ReadBuffers> buffers)
    : loop_(loop), own_(std::move(own)), buffers_(std::move(buffers)) {}

std::shared_ptr<UdpHost::Receiver> UdpHost::open_receiver(const asio::ip::address& address,
                                                          std::uint16_t host_port, bool shared,
                                                          boost::system::error_code& ec) {
  udp protocol = address.is_v6() ? udp::v6() : udp::v4();
  auto r = std::make_shared<Receiver>(*this, protocol);
  r->fd = ::socket(protocol.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (r->fd < 0) {
    ec = from_errno(errno);
    return nullptr;
  }
  // Only the broadcast/group sockets share their port (every device and peer on the port must
  // hear them); the pcb's own socket is exclusive, as udp_bind is.
  if (shared && !set_udp_option(r->fd, protocol, asio::socket_base::reuse_address(true), ec))
    return nullptr;
  core::ip::release_reserved_port(host_port);  // a --port-map P=0 port: ours from now on
  udp::endpoint local(address, host_port);
  if (::bind(r->fd, local.data(), static_cast<socklen_t>(local.size())) != 0) {
    ec = from_errno(errno);
    return nullptr;
  }
  ec.clear();
  return r;
}

// Broadcast allowed (lwIP has no SOF_BROADCAST filter, IP_SOF_BROADCAST 0); multicast leaving
// through the device's own address (never a real interface) and looped back so that peers on
// this machine hear it.
bool UdpHost::open(std::uint16_t host_port, int ttl, boost::system::error_code& ec) {
  auto r = open_receiver(own_, host_port, false, ec);
  if (!r) return false;
  main_ = std::move(r);
  boost::system::error_code ignored;
  int fd = main_->fd;
  const udp& p = main_->protocol;
  set_udp_option(fd, p, asio::socket_base::broadcast(true), ignored);
  if (own_.is_v4())
    set_udp_option(fd, p, asio::ip::multicast::outbound_interface(own_.to_v4()), ignored);
  set_udp_option(fd, p, asio::ip::multicast::enable_loopback(true), ignored);
  set_ttl(ttl);
  return true;
}

void UdpHost::receive(const ListenerPtr& listener) {
  listener_ = listener;
  if (!main_) return;
  main_->listener = listener;
  main_->receiving = true;
  main_->update_interest();
}

void UdpHost::listen_broadcast(const asio::ip::address_v4& broadcast, std::uint16_t host_port,
                               const ListenerPtr& listener) {
  boost::system::error_code ec;
  broadcast_ = open_receiver(broadcast, host_port, true, ec);
  if (!broadcast_) return;
  broadcast_->listener = listener;
  broadcast_->receiving = true;
  broadcast_->update_interest();
}

bool UdpHost::join(std::uint32_t group, std::uint16_t host_port, const ListenerPtr& listener,
                   boost::system::error_code& ec) {
  auto address = asio::ip::address_v4(group);
  auto r = open_receiver(address, host_port, true, ec);
  if (!r) return false;
  bool joined = own_.is_v4()
                    ? set_udp_option(r->fd, r->protocol,
                                     asio::ip::multicast::join_group(address, own_.to_v4()), ec)
                    : set_udp_option(r->fd, r->protocol, asio::ip::multicast::join_group(address), ec);
  if (!joined) return false;
  r->listener = listener;
  r->receiving = true;
  r->update_interest();
  groups_.emplace(group, std::move(r));
  return true;
}

void UdpHost::leave(std::uint32_t group) {
  auto it = groups_.find(group);
  if (it == groups_.end()) return;
  it->second->close();
  groups_.erase(it);
}

void UdpHost::set_ttl(int ttl) {
  if (!main_ || ttl == 0) return;
  boost::system::error_code ec;
  set_udp_option(main_->fd, main_->protocol, asio::ip::unicast::hops(ttl), ec);
  set_udp_option(main_->fd, main_->protocol, asio::ip::multicast::hops(ttl), ec);
}

// --- the outbox ---

void UdpHost::send_to(std::string_view data, const udp::endpoint& to, std::uint32_t tag,
                      boost::system::error_code& ec) {
  ec.clear();
  if (!main_) {
    ec = asio::error::bad_descriptor;
    return;
  }
  if (out_.size() >= k_outbox) {
    flush();
    if (out_.size() >= k_outbox) {
      ec = asio::error::would_block;
      return;
    }
  }
  out_.push_back({static_cast<std::uint32_t>(out_bytes_.size()),
                  static_cast<std::uint32_t>(data.size()), tag, to});
  out_bytes_.append(data);
  if (!blocked_) loop_.defer(*this);
}

// Where the run starting at out_[first] ends: the following datagrams to the same address and of
// the same size (the last of a run may be shorter).
std::size_t UdpHost::run_end(std::size_t first) const {
  const Queued& head = out_[first];
  std::size_t bytes = head.size, end = first + 1;
  while (end < out_.size() && end - first < k_max_run && out_[end - 1].size == head.size &&
         out_[end].size <= head.size && bytes + out_[end].size <= k_max_run_bytes &&
         out_[end].to == head.to) {
    bytes += out_[end].size;
    ++end;
  }
  return end;
}

// One sendmmsg for the outbox. Each run of datagrams to one address and of one size goes as one
// message the host splits into the datagrams (UDP generic segmentation offload): one pass through
// the host's IP stack, and one wake-up of the receiver, for the run. A datagram the host refuses
// (no route from the device's address) is reported and the rest go on; a run refused whole is
// sent again datagram by datagram, so that only what the host refuses is lost. EAGAIN keeps the
// rest for when the socket is writable.
void UdpHost::flush() {
  if (blocked_ || out_.empty()) return;
  if (!main_ || main_->fd < 0) {
    out_.clear();
    out_bytes_.clear();
    return;
  }
  constexpr std::size_t k_chunk = 64;
  mmsghdr msgs[k_chunk];
  iovec iov[k_chunk];
  std::size_t ends[k_chunk];
  union Control {
    cmsghdr header;
    char space[CMSG_SPACE(sizeof(std::uint16_t))];
  } control[k_chunk];
  std::size_t sent = 0;
  bool runs = true;  // until a run is refused
  while (sent < out_.size()) {
    std::size_t m = 0;
    for (std::size_t at = sent; at < out_.size() && m < k_chunk; at = ends[m++]) {
      ends[m] = runs ? run_end(at) : at + 1;
      const Queued& q = out_[at];
      const Queued& last = out_[ends[m] - 1];
      iov[m].iov_base = out_bytes_.data() + q.offset;
      iov[m].iov_len = last.offset + last.size - q.offset;
      msghdr& h = msgs[m].msg_hdr;
      h = msghdr{};
      h.msg_name = const_cast<void*>(static_cast<const void*>(q.to.data()));
      h.msg_namelen = static_cast<socklen_t>(q.to.size());
      h.msg_iov = &iov[m];
      h.msg_iovlen = 1;
      if (ends[m] - at > 1) {
        h.msg_control = control[m].space;
        h.msg_controllen = sizeof control[m].space;
        cmsghdr* c = CMSG_FIRSTHDR(&h);
        c->cmsg_level = SOL_UDP;
        c->cmsg_type = UDP_SEGMENT;
        c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
        auto segment = static_cast<std::uint16_t>(q.size);
        std::memcpy(CMSG_DATA(c), &segment, sizeof segment);
      }
    }
    int r = ::sendmmsg(main_->fd, msgs, static_cast<unsigned>(m), MSG_DONTWAIT);
    if (r > 0) {
      sent = ends[r - 1];
      continue;
    }
    int err = errno;
    if (err == EINTR) continue;
    if (err == EAGAIN || err == EWOULDBLOCK) return block(sent);
    // sendmmsg reports the error of the first message it could not send.
    if (ends[0] - sent > 1) {
      runs = false;  // a run: its datagrams go one by one
      continue;
    }
    const Queued& q = out_[sent++];
    if (auto l = listener_.lock()) l->on_send_failed(q.tag, q.to, q.size, from_errno(err));
  }
  out_.clear();
  out_bytes_.clear();
  if (out_bytes_.capacity() > k_kept_outbox_bytes) std::string().swap(out_bytes_);
}

void UdpHost::block(std::size_t sent) {
  // The datagrams that left go; the others move to the front.
  std::size_t first = sent < out_.size() ? out_[sent].offset : out_bytes_.size();
  out_bytes_.erase(0, first);
  out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(sent));
  for (auto& q : out_) q.offset -= static_cast<std::uint32_t>(first);
  blocked_ = true;
  main_->want_out = true;
  main_->update_interest();
}

void UdpHost::writable() {
  blocked_ = false;
  main_->want_out = false;
  main_->update_interest();
  flush();
}

void UdpHost::close() {
  flush();  // what send() took leaves, as the device's udp_sendto has handed it on already
  unlink();
  out_.clear();
  out_bytes_.clear();
  blocked_ = false;
  if (main_) main_->close();
  if (broadcast_) broadcast_->close();
  for (auto& entry : groups_) entry.second->close();
  main_.reset();
  broadcast_.reset();
  groups_.clear();
}

}  // namespace nodemcu_emu::net
