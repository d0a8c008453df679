#include "modules/emu/tcp_peer.hpp"

#include "core/ip/free_port.hpp"

namespace nodemcu_emu::peer {

namespace {
std::string endpoint_text(const tcp::endpoint& e) {
  return e.address().to_string() + ":" + std::to_string(e.port());
}

bool would_block(const boost::system::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}
}  // namespace

TcpPeer::TcpPeer(core::EventLoop& loop, tcp::socket socket, PeerTrace trace)
    : loop_(loop), socket_(std::move(socket)), trace_(std::move(trace)) {}

std::shared_ptr<TcpPeer> TcpPeer::connect(core::EventLoop& loop, const tcp::endpoint& target,
                                          PeerTrace trace) {
  auto peer = std::make_shared<TcpPeer>(loop, tcp::socket(loop.io()), std::move(trace));
  peer->start_connect(target);
  return peer;
}

std::shared_ptr<TcpPeer> TcpPeer::accepted(core::EventLoop& loop, tcp::socket socket,
                                           PeerTrace trace) {
  auto peer = std::make_shared<TcpPeer>(loop, std::move(socket), std::move(trace));
  boost::system::error_code ec;
  peer->socket_.non_blocking(true, ec);
  peer->socket_.set_option(tcp::no_delay(true), ec);
  peer->start_read();
  return peer;
}

// Bound before connecting, so that the address is known as this process's own before the
// device accepts: the accepted connection then holds no virtual time (core/peer_watch.hpp).
void TcpPeer::start_connect(const tcp::endpoint& target) {
  boost::system::error_code ec;
  socket_.open(target.protocol(), ec);
  // On loopback any 127.x address may be the source: the target's own keeps to the device's
  // "network" (a device bound to 127.0.0.5 is reached from 127.0.0.5).
  asio::ip::address local = target.address().is_loopback()
                                ? target.address()
                                : (target.address().is_v6() ? asio::ip::address(asio::ip::address_v6::any())
                                                            : asio::ip::address(asio::ip::address_v4::any()));
  if (!ec) socket_.bind(tcp::endpoint(local, 0), ec);
  if (!ec) socket_.non_blocking(true, ec);
  tcp::endpoint bound;
  if (!ec) bound = socket_.local_endpoint(ec);
  if (ec) return fail(End::failed, ec);
  own_ = loop_.peers().own(bound);
  connecting_ = true;
  trace_.emit(loop_, "connect", {{"to", endpoint_text(target)}});
  socket_.async_connect(target, [self = shared_from_this()](const boost::system::error_code& ec) {
    self->on_connected(ec);
  });
}

void TcpPeer::on_connected(const boost::system::error_code& ec) {
  connecting_ = false;
  if (end_ != End::none) return;  // closed meanwhile
  if (ec) return fail(End::failed, ec);
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  trace_.emit(loop_, "connected");
  start_read();
  write_pending();
}

tcp::endpoint TcpPeer::local_endpoint() const {
  boost::system::error_code ec;
  auto e = socket_.local_endpoint(ec);
  return ec ? tcp::endpoint() : e;
}

// --- receive ---

void TcpPeer::start_read() {
  socket_.async_read_some(asio::buffer(buffer_), [self = shared_from_this()](
                                                     const boost::system::error_code& ec,
                                                     std::size_t n) { self->on_read(ec, n); });
}

void TcpPeer::on_read(const boost::system::error_code& ec, std::size_t n) {
  if (ec == asio::error::operation_aborted || !socket_.is_open()) return;
  if (ec == asio::error::eof) {
    if (end_ == End::none) end_ = End::eof;
    trace_.emit(loop_, "eof");
    return;
  }
  if (ec) return fail(End::reset, ec);
  // After close() the data is read and dropped: the test said it wants no more.
  if (end_ != End::closed) {
    received_.append(buffer_.data(), n);
    trace_.emit(loop_, "recv", {{"n", n}});
  }
  start_read();
}

// --- send ---

void TcpPeer::send(std::string_view data) {
  outgoing_.append(data);
  trace_.emit(loop_, "send", {{"n", data.size()}});
  if (!connecting_ && !writing_) write_pending();
}

// Writes what the host takes now; the rest waits for the socket to be writable (a wait, not an
// async_write: the queue may grow while it waits, and nothing points into it meanwhile).
void TcpPeer::write_pending() {
  if (!socket_.is_open()) return;
  if (!outgoing_.empty()) {
    boost::system::error_code ec;
    std::size_t n = socket_.send(asio::buffer(outgoing_), 0, ec);
    if (would_block(ec)) {
      n = 0;
      ec = {};
    }
    if (ec) return fail(End::reset, ec);
    outgoing_.erase(0, n);
  }
  if (outgoing_.empty()) return after_writes();
  writing_ = true;
  socket_.async_wait(tcp::socket::wait_write,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       self->writing_ = false;
                       if (ec == asio::error::operation_aborted) return;
                       if (ec) return self->fail(End::reset, ec);
                       self->write_pending();
                     });
}

void TcpPeer::after_writes() {
  if (close_after_write_) return close_socket();
  if (shut_ && !fin_sent_) {
    fin_sent_ = true;
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
  }
}

void TcpPeer::shutdown() {
  if (shut_) return;
  shut_ = true;
  trace_.emit(loop_, "shutdown");
  if (!connecting_ && !writing_) write_pending();
}

// --- the end ---

void TcpPeer::close() {
  if (end_ == End::closed) return;
  trace_.emit(loop_, "close");
  end_ = End::closed;
  shut_ = true;
  close_after_write_ = true;
  if (connecting_) {
    outgoing_.clear();  // still connecting: what was queued never goes
    return close_socket();
  }
  if (!writing_) write_pending();  // the socket closes once the host has taken the rest
}

void TcpPeer::abort() {
  if (end_ == End::closed && !socket_.is_open()) return;
  trace_.emit(loop_, "abort");
  end_ = End::closed;
  shut_ = true;
  outgoing_.clear();
  boost::system::error_code ec;
  if (socket_.is_open()) socket_.set_option(asio::socket_base::linger(true, 0), ec);
  close_socket();
}

void TcpPeer::fail(End end, const boost::system::error_code& ec) {
  if (end_ == End::none || end_ == End::eof) {
    end_ = end;
    error_ = ec;
  }
  trace_.emit(loop_, end == End::failed ? "failed" : "error", {{"error", ec.message()}});
  outgoing_.clear();
  close_socket();
}

void TcpPeer::close_socket() {
  boost::system::error_code ec;
  socket_.close(ec);
  own_.reset();
}

// --- the listener ---

TcpPeerListener::TcpPeerListener(core::EventLoop& loop, PeerTrace trace)
    : loop_(loop), trace_(std::move(trace)), acceptor_(loop.io()) {}

bool TcpPeerListener::open(const tcp::endpoint& endpoint, boost::system::error_code& ec) {
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  core::ip::release_reserved_port(endpoint.port());  // a --port-map P=0 port: ours from now on
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  tcp::endpoint bound;
  if (!ec) bound = acceptor_.local_endpoint(ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return false;
  }
  own_ = loop_.peers().own(bound);
  trace_.emit(loop_, "listen", {{"port", static_cast<int>(bound.port())}});
  accept();
  return true;
}

std::uint16_t TcpPeerListener::port() const {
  boost::system::error_code ec;
  auto e = acceptor_.local_endpoint(ec);
  return ec ? 0 : e.port();
}

void TcpPeerListener::accept() {
  acceptor_.async_accept([self = shared_from_this()](const boost::system::error_code& ec,
                                                     tcp::socket socket) {
    if (ec || !self->acceptor_.is_open()) return;
    boost::system::error_code ignored;
    auto from = socket.remote_endpoint(ignored);
    PeerTrace trace{self->trace_.trace,
                    self->trace_.name + "." + std::to_string(self->next_connection_++)};
    auto peer = TcpPeer::accepted(self->loop_, std::move(socket), std::move(trace));
    self->trace_.emit(self->loop_, "accept", {{"peer", endpoint_text(from)}, {"as", peer->name()}});
    self->accepted_.push_back(std::move(peer));
    self->accept();
  });
}

std::shared_ptr<TcpPeer> TcpPeerListener::take() {
  if (accepted_.empty()) return nullptr;
  auto peer = std::move(accepted_.front());
  accepted_.pop_front();
  return peer;
}

void TcpPeerListener::close() {
  if (!acceptor_.is_open()) return;
  trace_.emit(loop_, "close");
  boost::system::error_code ec;
  acceptor_.close(ec);
  own_.reset();
  for (auto& peer : accepted_) peer->close();
  accepted_.clear();
}

}  // namespace nodemcu_emu::peer
