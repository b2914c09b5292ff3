// The faults an AgentSession injects: per frame in both directions (FaultInjector, DelayLine)
// and the events counted on data frames sent (disconnect, pause_publication, freeze).
#include <boost/asio/post.hpp>

#include "endpoint/agent_session.h"

namespace ssm::endpoint {
namespace {

bool is_data_frame(const channel::Frame& f) {
  // MessageType starts at offset 4, space padded.
  constexpr std::string_view type = wire::message_type::output_stream_data;
  return f->size() >= 4 + type.size() && std::equal(type.begin(), type.end(), f->begin() + 4);
}

std::uint64_t unix_millis() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace

// ---- frames -------------------------------------------------------------------------------

void AgentSession::on_client_frame(std::span<const std::uint8_t> frame) {
  if (frozen_) return;
  if (!ctx_.config.faults.per_frame()) return channel_.on_frame(frame);
  faults_.incoming(frame, [this](std::span<const std::uint8_t> f) { channel_.on_frame(f); });
}

void AgentSession::write_frame(channel::Frame frame) {
  if (!link_ || frozen_) return;
  const bool data = is_data_frame(frame);
  // Paused: data is numbered and kept, not written; retransmission sends it once resumed.
  if (data && paused_) return;
  if (!ctx_.config.faults.per_frame()) {
    send_to_link(std::move(frame));
  } else {
    faults_.outgoing(std::move(frame), [this](channel::Frame f) {
      if (delay_) delay_->push(std::move(f));
      else send_to_link(std::move(f));
    });
  }
  if (data) count_data_frame();
}

bool AgentSession::congested() const { return link_ && link_->queued_bytes() >= kLinkQueueBytes; }

void AgentSession::send_to_link(channel::Frame frame) {
  if (link_ && !frozen_) link_->send(std::move(frame));
}

void AgentSession::send_control(std::string_view type, const std::string& payload) {
  wire::ClientMessage m;
  m.message_type = std::string(type);
  m.created_date = unix_millis();
  m.sequence_number = 0;  // not sequenced
  m.flags = wire::kFlagSyn | wire::kFlagFin;
  m.message_id = wire::Uuid::random_v4();
  m.payload.assign(payload.begin(), payload.end());
  send_to_link(std::make_shared<const std::vector<std::uint8_t>>(wire::encode(m)));
}

// ---- events -------------------------------------------------------------------------------

// Each event takes effect right after the Nth frame, even when the channel is writing a whole
// window in one go. Only flags and the socket change here; the channel, whose send path we
// are in, learns of a lost connection from a posted handler.
void AgentSession::count_data_frame() {
  ++data_frames_sent_;
  const Faults& f = ctx_.config.faults;
  const auto reached = [this](long n) { return n > 0 && data_frames_sent_ >= static_cast<std::uint64_t>(n); };
  if (!pause_done_ && reached(f.pause_after)) {
    pause_done_ = true;
    inject_pause();
  }
  if (!freeze_done_ && reached(f.freeze_after)) {
    freeze_done_ = true;
    inject_freeze();
  }
  if (disconnects_done_ < f.disconnects && reached(f.disconnect_after * (disconnects_done_ + 1))) {
    ++disconnects_done_;
    inject_disconnect();
  }
}

void AgentSession::inject_disconnect() {
  if (!link_ || ended()) return;
  ++ctx_.stats.faults;
  ctx_.out.log("session " + id_ + ": disconnecting (--disconnect-after)");
  link_->close();  // writes nothing more from here on
  boost::asio::post(executor_, [self = shared_from_this(), link = link_.get()] { self->on_link_lost(link); });
}

void AgentSession::inject_pause() {
  if (!link_ || ended()) return;
  ++ctx_.stats.faults;
  ctx_.out.log("session " + id_ + ": pausing publication for " + std::to_string(ctx_.config.faults.pause_ms) +
               " ms (--pause-after)");
  send_control(wire::message_type::pause_publication);
  // The agent holds its own output too while paused (agent-side.md §5): the channel buffers
  // without writing, and has_send_space() stops the target.
  paused_ = true;
  channel_.pause();
  pause_timer_.expires_after(std::chrono::milliseconds(ctx_.config.faults.pause_ms));
  pause_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) { self->end_pause(ec); });
}

void AgentSession::end_pause(const boost::system::error_code& ec) {
  if (ec || !paused_) return;
  paused_ = false;
  send_control(wire::message_type::start_publication);
  channel_.resume_publication();
  if (target_ && channel_.has_send_space()) target_->on_send_space();
}

void AgentSession::inject_freeze() {
  if (!link_ || ended()) return;
  ++ctx_.stats.faults;
  ctx_.out.log("session " + id_ + ": freezing the connection (--freeze-after)");
  frozen_ = true;
  if (delay_) delay_->clear();
  link_->freeze();
}

}  // namespace ssm::endpoint
