// What is left of a TCP connection its owner closed gracefully while the host still had work
// for it: a connect to finish, bytes to write, the peer's data to drain. It writes the rest,
// sends FIN and reads (and drops) until the peer's FIN, bounded, then closes: so that the host
// never answers unread data with RST, which can make the peer discard a response it has not
// read yet (lwIP's tcp_close sends what is queued, then FIN).
//
// The connection itself is idle again at once: it lives inside its session, and a closing
// connection with work left costs an object of its own only for as long as that work lasts
// (an idle connection keeps no state for a close it may never need: docs/performance.md,
// hold). The loop holds the closer (EventLoop::keep_until_done) until it is done.
#pragma once

#include <memory>

#include "core/event_loop.hpp"
#include "core/ip/tcp_buffers.hpp"
#include "core/peer_watch.hpp"
#include "core/poller.hpp"
#include "core/sweep.hpp"

namespace nodemcu_emu::net {

class TcpCloser final : public core::Poller::Client,
                        public core::Sweep::Member,
                        public std::enable_shared_from_this<TcpCloser> {
 public:
  // What a connection hands over: its socket (`watch` its registration, if any), whether the
  // connect is still under way, what is still to be written (writing from write_offset on, then
  // queued; may be null) and its claim on its local address (core/peer_watch.hpp).
  struct Handover {
    int fd = -1;
    core::Poller::Watch watch;
    bool connecting = false;
    std::unique_ptr<TcpWrites> rest;
    core::PeerWatch::Own own;
  };
  // Finishes the close: at once when the host takes the rest and nothing is unread (no object
  // then), else with a closer of its own.
  static void finish(core::EventLoop& loop, Handover h);

  TcpCloser(core::EventLoop& loop, Handover h);
  ~TcpCloser() override;
  TcpCloser(const TcpCloser&) = delete;
  TcpCloser& operator=(const TcpCloser&) = delete;

 private:
  enum class Step : std::uint8_t { connecting, writing, draining, done };
  // Runs the steps until one has to wait for the socket; returns the step it waits in.
  static Step advance(core::EventLoop& loop, Handover& h, Step from);
  void on_ready(std::uint32_t events) override;
  core::Micros deadline() const override { return until_; }
  // The drain's limit passed: closed anyway.
  void on_deadline(core::Micros) override;
  // Waits in `step`: the interest it needs, and the drain's limit.
  void wait(Step step);
  void close_now();

  core::EventLoop& loop_;
  Handover h_;
  Step step_ = Step::done;
  core::Micros until_{0};
};

}  // namespace nodemcu_emu::net
