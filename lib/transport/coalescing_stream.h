// lib/transport — a stream layer that sits between a Beast WebSocket and its socket (plain
// or TLS) and turns many small WebSocket frames into few system calls, both ways.
//
// Why: the data channel sends one 1 KiB message per WebSocket frame and one ack per message
// received. Beast reads at most 1536 bytes per socket read and writes one frame per write,
// so both ends spent their time in the TCP stack (measured: ~100 MB/s on loopback).
//
// Writes: every write is appended to a buffer at once (complete frames, in order, so Beast's
// own control frames cannot tear a data frame apart), and one socket write at a time
// carries everything appended so far.
// Reads: one socket read fills a 64 KiB buffer, and Beast's small reads are served from it.
// Those are completed in one pass: a read that the buffer can serve, asked for from inside
// the completion of another (Beast reading the next frame from the caller's handler), runs
// when that completion returns, in a loop (a trampoline: no recursion, no trip through the
// event loop). So every frame a socket read brought is handled before the loop polls again.
// Beast is handed at most one frame per read once the WebSocket is open (FrameCutter says
// why), so that it never holds a whole frame it would complete by a trip through the loop.
// When the buffer is empty and a socket read goes out, `on_read_idle` (if set) runs: the
// frames read so far are all handled, and what they produced can be written in one go.
//
// When the buffer goes out: as soon as the event loop is free, unless the WebSocket is in the
// middle of handling frames it already read (no socket read outstanding); then the flush
// waits for the next socket read, so that the acks for a whole TCP segment's worth of frames
// leave in one write. A bounded number of deferrals keeps a connection that stopped reading
// from holding its output.
//
// Writes never block and never fail on the spot once the socket is broken: the error is kept
// and returned by the next write. The buffer is bounded by the caller (the data channel's
// send window); `buffered_bytes()` reports it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>

#include "transport/frame_cutter.h"

namespace ssm::transport {

template <typename Next>
class CoalescingStream {
 public:
  using next_layer_type = Next;
  using executor_type = typename Next::executor_type;
  using error_code = boost::system::error_code;

  // How many times a flush may wait for the WebSocket to go back to reading. Each wait is
  // one trip through the event loop, so this bounds the added latency to microseconds.
  static constexpr int kMaxDeferrals = 64;
  // One socket read: dozens of 1 KiB messages, and what one TLS record can hold several of.
  static constexpr std::size_t kReadBuffer = 64 * 1024;

  template <typename... Args>
  explicit CoalescingStream(Args&&... args)
      : next_(std::forward<Args>(args)...), state_(std::make_shared<State>(next_)) {}
  ~CoalescingStream() { state_->next = nullptr; }
  // In-flight handlers point at the wrapped stream: it must stay where it is.
  CoalescingStream(const CoalescingStream&) = delete;
  CoalescingStream& operator=(const CoalescingStream&) = delete;

  executor_type get_executor() noexcept { return next_.get_executor(); }
  Next& next_layer() noexcept { return next_; }
  const Next& next_layer() const noexcept { return next_; }

  // Bytes accepted but not yet confirmed written to the socket.
  std::size_t buffered_bytes() const { return state_->pending.size() + state_->inflight.size(); }

  // Called when the read buffer is used up and a socket read goes out (see above); it may
  // write, and may close the stream.
  void on_read_idle(std::function<void()> idle) { state_->read_idle = std::move(idle); }
  // From now on (the upgrade is done and Beast holds no frame bytes) reads end at frame ends.
  void cut_reads_at_frame_ends() { state_->cutter.emplace(); }
  // Called after every socket write that succeeded (buffered_bytes() went down).
  void on_write_done(std::function<void()> done) { state_->write_done = std::move(done); }

  // Runs `done` (posted) once everything accepted so far is written, or the socket failed.
  void when_flushed(std::function<void(error_code)> done) {
    if (state_->idle()) {
      boost::asio::post(get_executor(), [state = state_, done = std::move(done)] {
        if (state->next) done(state->error);  // not if the stream is gone meanwhile
      });
      return;
    }
    state_->drained.push_back(std::move(done));
  }

  // ---- reads: served from the read buffer; refilling it means waiting for the network ----
  template <typename Buffers>
  std::size_t read_some(const Buffers& buffers, error_code& ec) {
    ec = {};
    if (state_->readable()) return state_->take(buffers);
    return next_.read_some(buffers, ec);
  }
  template <typename Buffers>
  std::size_t read_some(const Buffers& buffers) {
    error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    auto ex = boost::asio::get_associated_executor(handler, get_executor());
    if (state_->readable()) {
      const std::size_t n = state_->take(buffers);
      auto complete = [h = std::forward<Handler>(handler), n]() mutable { std::move(h)(error_code{}, n); };
      if (state_->completing) {
        state_->deferred_read = std::make_unique<DeferredRead<decltype(complete)>>(std::move(complete));
        return;  // run by the completion loop below us on the stack
      }
      boost::asio::post(ex, [state = state_, complete = std::move(complete)]() mutable {
        complete_reads(state, complete);
      });
      return;
    }
    state_->reading = true;
    state_->in.resize(kReadBuffer);
    next_.async_read_some(boost::asio::buffer(state_->in),
                          boost::asio::bind_executor(ex, [state = state_, buffers, h = std::forward<Handler>(handler)](
                                                             error_code ec, std::size_t n) mutable {
                            state->reading = false;
                            state->in_begin = 0;
                            state->in_end = ec ? 0 : n;
                            const std::size_t taken = ec ? 0 : state->take(buffers);
                            auto complete = [&h, ec, taken] { std::move(h)(ec, taken); };
                            complete_reads(state, complete);
                          }));
    // Everything read so far is handled: what it produced leaves now, the acks in one write.
    const std::shared_ptr<State> state = state_;
    if (state->read_idle) state->read_idle();
    if (state->next && !state->writing && !state->pending.empty() && !state->error) start_write(state);
  }

  // ---- writes are appended whole ----
  template <typename Buffers>
  std::size_t write_some(const Buffers& buffers, error_code& ec) {
    ec = state_->error;
    if (ec) return 0;
    return append(buffers);
  }
  template <typename Buffers>
  std::size_t write_some(const Buffers& buffers) {
    error_code ec;
    const std::size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    const error_code ec = state_->error;
    const std::size_t n = ec ? 0 : append(buffers);
    auto ex = boost::asio::get_associated_executor(handler, get_executor());
    boost::asio::post(ex, [h = std::forward<Handler>(handler), ec, n]() mutable { std::move(h)(ec, n); });
  }

 private:
  // A read completion waiting for the loop in complete_reads (move-only, like the handler).
  struct PendingRead {
    virtual ~PendingRead() = default;
    virtual void run() = 0;
  };
  template <typename F>
  struct DeferredRead final : PendingRead {
    explicit DeferredRead(F f) : f(std::move(f)) {}
    void run() override { f(); }
    F f;
  };

  // Shared with in-flight handlers, which may outlive the stream.
  struct State {
    explicit State(Next& n) : next(&n) {}
    Next* next;  // null once the stream is destroyed
    std::vector<std::uint8_t> pending, inflight;
    std::vector<std::uint8_t> in;  // bytes read from the socket, [in_begin, in_end) not yet taken
    std::size_t in_begin = 0, in_end = 0;
    std::vector<std::function<void(error_code)>> drained;
    std::function<void()> read_idle;
    std::function<void()> write_done;
    std::optional<FrameCutter> cutter;
    std::unique_ptr<PendingRead> deferred_read;  // at most one: a stream has one read at a time
    bool completing = false;                     // complete_reads is on the stack
    error_code error;
    bool reading = false, writing = false, flush_posted = false;
    int deferrals = 0;
    bool idle() const { return error || (!writing && pending.empty()); }
    bool readable() const { return in_begin < in_end; }
    template <typename Buffers>
    std::size_t take(const Buffers& buffers) {
      std::size_t n = in_end - in_begin;
      if (cutter) n = cutter->take({in.data() + in_begin, n}, boost::asio::buffer_size(buffers));
      n = boost::asio::buffer_copy(buffers, boost::asio::buffer(in.data() + in_begin, n));
      in_begin += n;
      return n;
    }
  };

  // Runs a read completion, then every read it asked for that the buffer served, one after
  // the other at this depth of the stack.
  template <typename F>
  static void complete_reads(const std::shared_ptr<State>& s, F& first) {
    struct Completing {
      State& s;
      explicit Completing(State& state) : s(state) { s.completing = true; }
      ~Completing() { s.completing = false; }
    } completing(*s);
    first();
    while (s->deferred_read) {
      const std::unique_ptr<PendingRead> next = std::move(s->deferred_read);
      next->run();
    }
  }

  template <typename Buffers>
  std::size_t append(const Buffers& buffers) {
    const std::size_t n = boost::asio::buffer_size(buffers);
    auto& out = state_->pending;
    const std::size_t at = out.size();
    out.resize(at + n);
    boost::asio::buffer_copy(boost::asio::buffer(out.data() + at, n), buffers);
    post_flush(state_);
    return n;
  }

  static void post_flush(const std::shared_ptr<State>& s) {
    if (s->flush_posted || s->writing) return;  // the write in flight takes it along when done
    s->flush_posted = true;
    boost::asio::post(s->next->get_executor(), [s] { on_flush_posted(s); });
  }

  static void on_flush_posted(const std::shared_ptr<State>& s) {
    s->flush_posted = false;
    if (!s->next || s->writing || s->pending.empty() || s->error) return;
    if (!s->reading && s->deferrals < kMaxDeferrals) {
      ++s->deferrals;  // frames already read are still being handled: their acks come next
      return post_flush(s);
    }
    start_write(s);
  }

  static void start_write(const std::shared_ptr<State>& s) {
    s->deferrals = 0;
    s->writing = true;
    s->inflight.swap(s->pending);
    boost::asio::async_write(*s->next, boost::asio::buffer(s->inflight),
                             [s](error_code ec, std::size_t) { on_written(s, ec); });
  }

  static void on_written(const std::shared_ptr<State>& s, error_code ec) {
    s->writing = false;
    s->inflight.clear();
    if (!s->next) return;
    if (ec) {
      s->error = ec;
      s->pending.clear();
    } else {
      if (!s->pending.empty()) start_write(s);  // what piled up during this write goes out as one
      if (s->write_done) s->write_done();
      if (s->writing) return;
    }
    auto drained = std::move(s->drained);
    s->drained.clear();
    for (auto& done : drained) done(s->error);
  }

  Next next_;
  std::shared_ptr<State> state_;
};

// Beast's WebSocket closes the layer below through these (found by argument-dependent
// lookup). The close frame it just wrote must reach the peer before the socket goes.
template <typename Next>
void teardown(boost::beast::role_type role, CoalescingStream<Next>& stream, boost::system::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, stream.next_layer(), ec);
}

template <typename Next, typename Handler>
void async_teardown(boost::beast::role_type role, CoalescingStream<Next>& stream, Handler&& handler) {
  auto h = std::make_shared<std::decay_t<Handler>>(std::forward<Handler>(handler));
  stream.when_flushed([&stream, role, h](boost::system::error_code) {
    using boost::beast::websocket::async_teardown;
    async_teardown(role, stream.next_layer(), std::move(*h));
  });
}

}  // namespace ssm::transport
