#include "modules/emu/udp_peer.hpp"

#include "core/ip/free_port.hpp"

namespace nodemcu_emu::peer {

namespace {
std::string endpoint_text(const udp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}
}  // namespace

UdpPeer::UdpPeer(core::EventLoop& loop, PeerTrace trace)
    : loop_(loop), trace_(std::move(trace)), socket_(loop.io()) {}

bool UdpPeer::open(const udp::endpoint& endpoint, boost::system::error_code& ec) {
  socket_.open(endpoint.protocol(), ec);
  core::ip::release_reserved_port(endpoint.port());  // a --port-map P=0 port: ours from now on
  if (!ec) socket_.bind(endpoint, ec);
  if (ec) {
    boost::system::error_code ignored;
    socket_.close(ignored);
    return false;
  }
  trace_.emit(loop_, "bind", {{"port", static_cast<int>(port())}});
  receive();
  return true;
}

std::uint16_t UdpPeer::port() const {
  boost::system::error_code ec;
  auto e = socket_.local_endpoint(ec);
  return ec ? 0 : e.port();
}

void UdpPeer::receive() {
  socket_.async_receive_from(asio::buffer(buffer_), from_,
                             [self = shared_from_this()](const boost::system::error_code& ec,
                                                         std::size_t n) {
                               if (ec == asio::error::operation_aborted || !self->socket_.is_open())
                                 return;
                               // A refused earlier send (ICMP port unreachable) comes back as an
                               // error of the next receive: nothing was received, go on.
                               if (!ec) {
                                 self->received_.push_back({std::string(self->buffer_.data(), n),
                                                            self->from_});
                                 self->trace_.emit(self->loop_, "recv",
                                                   {{"from", endpoint_text(self->from_)}, {"bytes", n}});
                               }
                               self->receive();
                             });
}

void UdpPeer::send_to(std::string_view data, const udp::endpoint& to,
                      boost::system::error_code& ec) {
  socket_.send_to(asio::buffer(data.data(), data.size()), to, 0, ec);
  if (!ec) trace_.emit(loop_, "send", {{"to", endpoint_text(to)}, {"bytes", data.size()}});
}

void UdpPeer::close() {
  if (!socket_.is_open()) return;
  trace_.emit(loop_, "close");
  boost::system::error_code ec;
  socket_.close(ec);
  received_.clear();
}

}  // namespace nodemcu_emu::peer
