#include "channel/data_channel.h"

#include <algorithm>

namespace ssm::channel {
namespace {

// After this many undecodable frames in a row the peer is not speaking the protocol at all
// (a corrupted frame now and then is normal under loss; it is dropped and resent).
constexpr int kMaxConsecutiveInvalidFrames = 64;

std::uint64_t unix_millis() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace

DataChannel::DataChannel(boost::asio::any_io_executor ex, ChannelConfig config, FrameWriter& writer,
                         ChannelHandler& handler)
    : config_(config),
      writer_(writer),
      handler_(handler),
      timer_(std::move(ex)),
      window_(config.rtt),
      receive_(config.receive_window_messages, config.receive_window_bytes) {}

// ---- inbound ------------------------------------------------------------------------------

void DataChannel::on_frame(std::span<const std::uint8_t> frame) {
  if (closed_) return;
  receiving_batch_ = true;
  wire::ClientMessage m;
  if (wire::decode(frame, m)) {
    ++stats_.dropped_invalid;
    if (++consecutive_invalid_ >= kMaxConsecutiveInvalidFrames)
      fail("the peer sends only malformed frames");
    return;
  }
  consecutive_invalid_ = 0;
  if (m.message_type == wire::message_type::acknowledge) {
    on_ack(m);
  } else if (m.message_type == config_.role.incoming) {
    on_data(m);
  } else if (m.message_type == wire::message_type::channel_closed) {
    wire::ChannelClosed closed;
    (void)wire::parse(m.payload_text(), closed);  // unparsable: an empty Output, as the reference
    close();
    settle_delivery();  // what came before channel_closed goes out first
    handler_.on_channel_closed(closed);
  } else if (m.message_type == wire::message_type::pause_publication) {
    pause();
  } else if (m.message_type == wire::message_type::start_publication) {
    resume_publication();
  }
  // Our own outgoing type coming back is not for us: ignored, as the reference does.
}

void DataChannel::on_ack(const wire::ClientMessage& m) {
  wire::Acknowledge ack;
  if (wire::parse(m.payload_text(), ack)) {
    ++stats_.dropped_invalid;
    return;
  }
  const auto now = Clock::now();
  const SendWindow::Entry* oldest = window_.oldest_sent();
  const bool front = oldest && oldest->sequence_number == ack.acknowledged_message_sequence_number;
  lost_.clear();
  if (!window_.acknowledge(ack.acknowledged_message_sequence_number, now, &lost_)) return;
  // The oldest moved on: its successor gets a whole RTO from now (RFC 6298 §5.3).
  if (front) progress_ = now;
  if (config_.resend == ResendPolicy::adaptive) {
    if (!lost_.empty()) fast_retransmit(lost_);
    if (front) continue_recovery(now);
  }
  // Low-water mark: wake the source only when a quarter of the window is free, so that a
  // full pipe does not flip the reader on and off at every ack.
  if (space_wanted_ && window_.bytes() <= config_.send_window_bytes - config_.send_window_bytes / 4 &&
      window_.size() < config_.max_in_flight && !journal_.full()) {
    space_wanted_ = false;
    handler_.on_send_space();
  }
  if (window_.empty() && !closed_ && !journal_.has_held()) handler_.on_all_acknowledged();
}

void DataChannel::on_data(wire::ClientMessage& m) {
  ++stats_.data_received;
  if (m.sequence_number == receive_.expected()) {
    if (!open_payload(m)) return;
    pending_ = std::move(m);
    pending_acked_ = false;
    deliver_in_order();
    return;
  }
  // Ack before classify moves the message into the buffer.
  const wire::ClientMessage header_only{m.message_type, m.schema_version, m.created_date, m.sequence_number,
                                        m.flags, m.message_id, m.payload_type, {}};
  switch (receive_.classify(m)) {
    case ReceiveWindow::Verdict::buffered:
      send_ack(header_only);
      break;
    case ReceiveWindow::Verdict::duplicate:
      ++stats_.duplicates;
      // The peer resent what we had: our ack was lost (Q3/Q22). Ack again, and for a while
      // send every ack twice: an agent that repairs one message per 100 ms (agent-side.md
      // §3.2) pays a whole tick for each lost ack, and a lossy path loses more than one.
      ack_echoes_left_ = kAckEchoesAfterDuplicate;
      send_ack(header_only);
      break;
    case ReceiveWindow::Verdict::overflow:
    case ReceiveWindow::Verdict::in_order:
      break;  // overflow: no ack, the peer resends once we have room
  }
}

void DataChannel::deliver_in_order() {
  if (delivering_) return;  // a handler called back into us; the outer loop carries on
  delivering_ = true;
  while (true) {
    std::optional<wire::ClientMessage> next = std::move(pending_);
    bool acked = pending_acked_;
    pending_.reset();
    if (!next) {
      // Buffered ahead of a gap still sealed: opened now, in order, so that whatever turns
      // the cipher on (the handshake) has been handled before the first sealed message.
      next = receive_.take_next();
      acked = true;  // when it arrived
      if (next && !open_payload(*next)) break;
    }
    if (!next) break;
    if (handler_.on_data(*next) == Delivery::not_ready) {
      pending_ = std::move(next);  // held until retry_delivery(); acked only if it was buffered
      pending_acked_ = acked;
      break;
    }
    // Advance first, whatever happens to the ack (Q21): a resent copy is then only re-acked.
    receive_.advance();
    delivered_unsettled_ = true;
    // A message drained from the buffer was acked when it arrived, and is not acked again
    // (as the reference): a second, late ack of a message sent once reads to the agent, which
    // measures its RTT from the last send without Karn's rule, as a round trip of however
    // long the gap took to repair: seconds under heavy loss, which pins its RTO at the 1 s
    // cap and halves its pace of repair. A lost first ack costs one resend, re-acked then.
    if (!acked) send_ack(*next);
  }
  delivering_ = false;
  // Outside a transport batch (a retried delivery, or after close) nothing else will end it.
  if (!receiving_batch_) settle_delivery();
}

void DataChannel::settle_delivery() {
  receiving_batch_ = false;
  if (!delivered_unsettled_ || delivering_) return;
  delivered_unsettled_ = false;
  handler_.on_delivery_end();
}

void DataChannel::retry_delivery() { deliver_in_order(); }

bool DataChannel::open_payload(wire::ClientMessage& m) {
  if (!cipher_ || !is_session_data(m.payload_type)) return true;
  crypto::Opened opened = cipher_->open(m.payload);
  if (!opened) {
    // Frames carry a digest, so this is no transmission error: the peer holds another key.
    fail("cannot decrypt session data from the peer (sequence number " + std::to_string(m.sequence_number) +
         "): " + std::string(crypto::describe(opened.error)));
    return false;
  }
  m.payload = std::move(opened.plaintext);
  return true;
}

void DataChannel::send_ack(const wire::ClientMessage& m) {
  if (closed_ || !attached_) return;
  const wire::Acknowledge content{m.message_type, m.message_id.to_string(), m.sequence_number, true};
  const std::string json = wire::to_json(content);
  wire::ClientMessage ack;
  ack.message_type = std::string(wire::message_type::acknowledge);
  ack.created_date = unix_millis();
  ack.sequence_number = 0;
  ack.flags = wire::kFlagSyn | wire::kFlagFin;
  ack.message_id = wire::Uuid::random_v4();
  ack.payload.assign(json.begin(), json.end());
  ++stats_.acks_sent;
  auto frame = std::make_shared<const std::vector<std::uint8_t>>(wire::encode(ack));
  writer_.write_frame(frame);
  if (ack_echoes_left_ > 0) {
    --ack_echoes_left_;
    ++stats_.acks_sent;
    writer_.write_frame(std::move(frame));
  }
}

// ---- outbound -----------------------------------------------------------------------------

void DataChannel::send(wire::PayloadType type, std::span<const std::uint8_t> payload) {
  if (closed_) return;
  if (!journal_.keep(type, payload)) {  // held until the handshake is over
    if (!has_send_space()) space_wanted_ = true;
    return;
  }
  send_now(type, payload);
}

void DataChannel::send_now(wire::PayloadType type, std::span<const std::uint8_t> payload) {
  if (type != wire::PayloadType::output) {
    send_one(type, payload);
    return;
  }
  while (!payload.empty()) {
    const std::size_t n = std::min(payload.size(), kMaxPayload);
    send_one(type, payload.first(n));
    payload = payload.subspan(n);
  }
}

void DataChannel::send_one(wire::PayloadType type, std::span<const std::uint8_t> payload) {
  if (closed_) return;  // e.g. failed while sealing an earlier chunk
  wire::ClientMessage m;
  m.message_type = std::string(config_.role.outgoing);
  m.created_date = unix_millis();
  m.sequence_number = next_seq_;
  m.flags = (config_.syn_on_first && next_seq_ == 0) ? wire::kFlagSyn : 0;
  m.message_id = wire::Uuid::random_v4();
  m.payload_type = type;
  if (cipher_ && is_session_data(type)) {
    auto sealed = cipher_->seal(payload);
    if (!sealed) return fail("cannot encrypt session data: no random nonce or OpenSSL failed");
    m.payload = std::move(*sealed);
  } else {
    m.payload.assign(payload.begin(), payload.end());
  }
  window_.push(next_seq_++, std::make_shared<const std::vector<std::uint8_t>>(wire::encode(m)));
  ++stats_.data_sent;
  write_queued();  // this one, unless older ones still wait for the writer
  if (!has_send_space()) space_wanted_ = true;
}

void DataChannel::replay_input() {
  for (const auto& entry : journal_.take()) send(entry.type, entry.payload);
  wake_sender_if_space();
}

void DataChannel::release_input() {
  for (const auto& entry : journal_.release()) send_now(entry.type, entry.payload);
  wake_sender_if_space();
}

void DataChannel::forget_input() {
  journal_.forget();
  wake_sender_if_space();
}

void DataChannel::wake_sender_if_space() {
  if (!space_wanted_ || !has_send_space() || closed_) return;
  space_wanted_ = false;
  handler_.on_send_space();
}

void DataChannel::write_entry(SendWindow::Entry& e, Clock::time_point now) {
  if (e.transmissions > 0) ++stats_.retransmissions;
  window_.mark_sent(e, now);
  writer_.write_frame(e.frame);
  if (auto due = retransmit_due(now)) arm_timer(*due);
}

void DataChannel::fast_retransmit(const std::vector<std::int64_t>& lost) {
  if (!can_write()) return;
  const auto now = Clock::now();
  for (std::int64_t seq : lost) {
    SendWindow::Entry* e = window_.find(seq);
    if (!e) continue;
    ++stats_.fast_retransmissions;
    write_entry(*e, now);
  }
}

void DataChannel::continue_recovery(Clock::time_point now) {
  if (recovery_point_ == Clock::time_point{}) return;
  SendWindow::Entry* oldest = window_.oldest_sent();
  // Written before the timeout and still unacknowledged one RTT after the oldest's repair:
  // lost with it (a burst, or the acks were lost). Resent now, clocked by this ack.
  if (oldest && oldest->last_sent < recovery_point_ && can_write()) return write_entry(*oldest, now);
  recovery_point_ = {};
}

std::optional<Clock::time_point> DataChannel::retransmit_due(Clock::time_point now) {
  const SendWindow::Entry* oldest = window_.oldest_sent();
  if (!oldest) return std::nullopt;
  if (config_.resend == ResendPolicy::oldest_per_tick) return now + config_.resend_tick;
  return std::max(oldest->last_sent, progress_) + window_.rtt().rto();
}

void DataChannel::arm_timer(Clock::time_point deadline) {
  // Only ever moved earlier: a timer that fires early finds its real deadline and sleeps again,
  // which costs less than re-arming it on every ack.
  if (timer_expiry_ != Clock::time_point{} && timer_expiry_ <= deadline) return;
  timer_expiry_ = deadline;
  timer_.expires_at(deadline);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec == boost::asio::error::operation_aborted) return;  // re-armed or closed; `this` may be gone
    on_timer();
  });
}

void DataChannel::on_timer() {
  timer_expiry_ = {};
  if (!can_write()) return;
  const auto now = Clock::now();
  SendWindow::Entry* oldest = window_.oldest_sent();
  if (!oldest) return;
  if (now - oldest->first_sent > config_.resend_budget) {
    fail("no acknowledgement from the peer within the resend budget", std::errc::timed_out);
    return;
  }
  const bool due = config_.resend == ResendPolicy::oldest_per_tick
                       ? now - oldest->last_sent >= window_.rtt().rto()
                       : std::max(oldest->last_sent, progress_) + window_.rtt().rto() <= now;
  if (due) {
    // Only the oldest: the acks that follow its repair clock out the rest, or show them lost.
    if (config_.resend == ResendPolicy::adaptive) {
      window_.back_off();
      recovery_point_ = now;  // until everything written before now is acknowledged
    }
    write_entry(*oldest, now);
    return;
  }
  if (auto next = retransmit_due(now)) arm_timer(*next);
}

void DataChannel::write_queued() {
  if (!can_write()) return;
  const auto now = Clock::now();
  while (SendWindow::Entry* e = window_.first_unsent()) {
    if (writer_.congested()) return;
    write_entry(*e, now);
  }
}

void DataChannel::write_all() {
  if (!can_write()) return;
  const auto now = Clock::now();
  for (auto& e : window_.entries()) write_entry(e, now);
}

// ---- connection state ---------------------------------------------------------------------

void DataChannel::detach() {
  attached_ = false;
  settle_delivery();  // the transport that would have ended the batch is gone
  timer_.cancel();
  timer_expiry_ = {};
}

void DataChannel::attach() {
  attached_ = true;
  write_all();  // whatever the old connection swallowed goes again
}

void DataChannel::pause() {
  paused_ = true;
  timer_.cancel();
  timer_expiry_ = {};
}

void DataChannel::resume_publication() {
  if (!paused_) return;
  paused_ = false;
  write_queued();
  if (auto next = retransmit_due(Clock::now())) arm_timer(*next);
}

void DataChannel::close() {
  // Deliveries from here on (retry_delivery) each end on their own; the handler is not
  // called from here, since close() also runs while its owner is being destroyed.
  receiving_batch_ = false;
  closed_ = true;
  timer_.cancel();
  timer_expiry_ = {};
}

void DataChannel::fail(std::string_view reason, std::errc ec) {
  close();
  settle_delivery();  // what was acknowledged still goes out
  handler_.on_channel_failed(std::make_error_code(ec), reason);
}

}  // namespace ssm::channel
