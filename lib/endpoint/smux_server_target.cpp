// The agent's multiplexed port mode (agent-side.md §6.3): the session's Output payloads carry
// an smux v1 byte stream from the client's smux client; this is the server. Every stream the
// client opens (SYN) gets its own --stream-target (a new TCP connection for dial:, its own
// echo, ...) behind a per-stream TargetHost; a target that cannot connect sends the
// ConnectToPortError flag and the stream is closed with FIN; a target that ends closes its
// stream with FIN; the client's FIN stops the stream's target. Other streams go on.
#include <deque>
#include <map>
#include <memory>

#include <boost/asio/post.hpp>

#include "endpoint/targets.h"
#include "mux/frame.h"

namespace ssm::endpoint {
namespace {

class SmuxServerTarget;

// What one stream's target sees as its session.
class StreamHost final : public TargetHost {
 public:
  StreamHost(SmuxServerTarget& server, std::uint32_t id) : server_(server), id_(id) {}
  void send_output(std::span<const std::uint8_t> bytes) override;
  void send_flag(wire::PortFlag flag) override;
  void send_payload(wire::PayloadType, std::span<const std::uint8_t>) override {}
  bool has_send_space() const override;
  void retry_delivery() override;
  void target_finished() override;
  void target_failed(const std::string& why) override;

 private:
  SmuxServerTarget& server_;
  std::uint32_t id_;
};

class SmuxServerTarget final : public StreamTarget, public std::enable_shared_from_this<SmuxServerTarget> {
 public:
  SmuxServerTarget(boost::asio::any_io_executor ex, TargetHost& host, TargetSpec spec, bool pacing)
      : ex_(std::move(ex)), host_(host), spec_(std::move(spec)), pacing_(pacing) {}
  ~SmuxServerTarget() override { stop(); }

  void start() override {}

  channel::Delivery on_input(std::span<const std::uint8_t> bytes) override {
    if (stopped_) return channel::Delivery::accepted;
    // Streams whose targets cannot take more hold what they were sent; past a bound the
    // whole channel waits (smux v1 has no per-stream flow control).
    if (held_bytes_ > kMaxHeld) {
      congested_ = true;
      return channel::Delivery::not_ready;
    }
    parser_.feed(bytes);
    mux::Frame frame;
    std::error_code ec;
    while (!stopped_ && parser_.next(frame, ec)) on_frame(frame);
    if (ec && !stopped_) {
      stop();
      host_.target_failed("smux: " + ec.message());
    }
    return channel::Delivery::accepted;
  }

  void on_send_space() override {
    for (auto& [id, stream] : streams_) stream.target->on_send_space();
  }

  void stop() override {
    if (stopped_) return;
    stopped_ = true;
    for (auto& [id, stream] : streams_) stream.target->stop();
  }

  // ---- for StreamHost ----
  void stream_output(std::uint32_t id, std::span<const std::uint8_t> bytes) {
    if (stopped_ || !streams_.contains(id)) return;
    std::vector<std::uint8_t> out;
    while (!bytes.empty()) {
      const std::size_t n = std::min(bytes.size(), mux::kMaxFrameSize);
      mux::append_frame(out, mux::Command::psh, id, bytes.first(n));
      bytes = bytes.subspan(n);
    }
    host_.send_output(out);
  }
  void send_flag(wire::PortFlag flag) {
    if (!stopped_) host_.send_flag(flag);
  }
  bool has_send_space() const { return host_.has_send_space(); }
  void stream_ready(std::uint32_t id) {
    if (!stopped_) deliver_held(id);
  }
  // The target is done (or failed): FIN to the client, and forget the stream once the
  // target's own call has returned.
  void stream_ended(std::uint32_t id) {
    if (stopped_ || !streams_.contains(id)) return;
    std::vector<std::uint8_t> fin;
    mux::append_frame(fin, mux::Command::fin, id);
    host_.send_output(fin);
    forget(id);
  }

 private:
  static constexpr std::size_t kMaxHeld = 4 * 1024 * 1024;  // smux v1's receive buffer

  struct Stream {
    std::unique_ptr<StreamHost> host;
    std::shared_ptr<StreamTarget> target;
    std::deque<std::vector<std::uint8_t>> held;  // data the target answered not_ready to
    bool fin = false;                             // the client closed the stream
  };

  void on_frame(const mux::Frame& f) {
    switch (f.command) {
      case mux::Command::syn:
        return open_stream(f.stream_id);
      case mux::Command::psh: {
        auto it = streams_.find(f.stream_id);
        if (it == streams_.end()) return;  // unknown or closed stream: discarded, as smux does
        it->second.held.emplace_back(f.data.begin(), f.data.end());
        held_bytes_ += f.data.size();
        return deliver_held(f.stream_id);
      }
      case mux::Command::fin:
        // What the client sent before its FIN still reaches the destination; then the
        // agent closes that connection.
        if (auto it = streams_.find(f.stream_id); it != streams_.end()) {
          it->second.fin = true;
          end_input_when_delivered(f.stream_id);
        }
        return;
      case mux::Command::nop:
        return;
    }
  }

  void open_stream(std::uint32_t id) {
    if (streams_.contains(id)) return;
    Stream& s = streams_[id];
    s.host = std::make_unique<StreamHost>(*this, id);
    s.target = make_target(spec_, ex_, *s.host, pacing_);
    s.target->start();
  }

  void deliver_held(std::uint32_t id) {
    for (;;) {
      // Looked up each time: the target may end its stream from inside on_input().
      auto it = streams_.find(id);
      if (it == streams_.end() || it->second.held.empty()) break;
      const std::vector<std::uint8_t> chunk = it->second.held.front();
      if (it->second.target->on_input(chunk) != channel::Delivery::accepted) break;
      it = streams_.find(id);
      if (it == streams_.end()) break;  // forget() has already uncounted it
      held_bytes_ -= chunk.size();
      it->second.held.pop_front();
    }
    if (congested_ && held_bytes_ <= kMaxHeld) {
      congested_ = false;
      host_.retry_delivery();
    }
    end_input_when_delivered(id);
  }

  void end_input_when_delivered(std::uint32_t id) {
    auto it = streams_.find(id);
    if (it == streams_.end() || !it->second.fin || !it->second.held.empty()) return;
    it->second.fin = false;  // once
    if (it->second.target->on_input_end()) {
      it->second.target->stop();
      forget(id);
    }  // else the target calls target_finished() when it has written everything
  }

  void forget(std::uint32_t id) {
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    for (const auto& chunk : it->second.held) held_bytes_ -= chunk.size();
    // Destroyed after the current call: the target or its host may be on the stack.
    auto doomed = std::make_shared<Stream>(std::move(it->second));
    streams_.erase(it);
    boost::asio::post(ex_, [doomed] {});
  }

  boost::asio::any_io_executor ex_;
  TargetHost& host_;
  TargetSpec spec_;
  bool pacing_;
  mux::FrameParser parser_;
  std::map<std::uint32_t, Stream> streams_;
  std::size_t held_bytes_ = 0;
  bool congested_ = false;
  bool stopped_ = false;
};

void StreamHost::send_output(std::span<const std::uint8_t> bytes) { server_.stream_output(id_, bytes); }
void StreamHost::send_flag(wire::PortFlag flag) { server_.send_flag(flag); }
bool StreamHost::has_send_space() const { return server_.has_send_space(); }
void StreamHost::retry_delivery() { server_.stream_ready(id_); }
void StreamHost::target_finished() { server_.stream_ended(id_); }
void StreamHost::target_failed(const std::string&) { server_.stream_ended(id_); }

}  // namespace

std::shared_ptr<StreamTarget> make_smux_server_target(boost::asio::any_io_executor ex, TargetHost& host,
                                                      TargetSpec per_stream, bool pacing) {
  return std::make_shared<SmuxServerTarget>(std::move(ex), host, std::move(per_stream), pacing);
}

}  // namespace ssm::endpoint
