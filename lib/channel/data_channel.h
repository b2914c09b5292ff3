// lib/channel — one end of the reliable data channel, driven by the io_context: numbers and
// sends data messages, resends them until acked, acks and orders what arrives, and hands
// in-order payloads to its ChannelHandler. Used by the client (role kClient) and by the local
// endpoint's agent emulator (role kAgent). Frames travel through a FrameWriter; the channel
// survives the writer going away and coming back (resume) with its numbers intact.
// Once a session cipher is set (KMS encryption, protocol-smux-kms-aws.md §2.5), session data
// (Output, StdErr, ExitCode) is sealed on its way out and opened in delivery order on its way
// in, out-of-order arrivals included; every other payload type stays as it is.
// Input sent before the client knows whether the agent hand-shakes can be journaled, held and
// sent again (InputJournal), since such an agent discards it until the handshake is over.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "channel/input_journal.h"
#include "channel/receive_window.h"
#include "channel/send_window.h"
#include "crypto/session_cipher.h"
#include "wire/client_message.h"
#include "wire/payloads.h"

namespace ssm::channel {

// Which data message type each end writes (protocol.md §4.1).
struct ChannelRole {
  std::string_view outgoing;
  std::string_view incoming;
};
inline constexpr ChannelRole kClient{wire::message_type::input_stream_data, wire::message_type::output_stream_data};
inline constexpr ChannelRole kAgent{wire::message_type::output_stream_data, wire::message_type::input_stream_data};

// The agent reads at most this much per message and expects no more from the client.
inline constexpr std::size_t kMaxPayload = 1024;

// How the channel resends what the peer did not acknowledge.
enum class ResendPolicy {
  // This project's: one retransmission timer for the oldest unacknowledged message, restarted
  // by every ack that advances it (so that messages queued behind a slow start do not all
  // expire together); on expiry only the oldest is resent and the RTO backs off, and the acks
  // of the repairs clock out the rest written before the timeout; a message the peer's later
  // acks show lost is resent at once (SendWindow::kFastRetransmitAcks).
  adaptive,
  // The real agent's (agent-side.md §3.2): every resend_tick, the oldest unacknowledged
  // message is resent if its last send is an RTO old; nothing else is. The local endpoint
  // plays it on request, so that tests and the bench meet the agent's pace of repair.
  oldest_per_tick,
};

struct ChannelConfig {
  ChannelRole role = kClient;
  // Bytes of frames in flight (sent or queued, not yet acknowledged) before has_send_space()
  // turns false. Sized by scripts/bench: enough to fill a loopback path; beyond it only the
  // queue, and the RTT the peer sees, grow.
  std::size_t send_window_bytes = 1024 * 1024;
  // And messages: never above the agent's incoming buffer (100,000 in current agents, 10,000
  // in older ones), however small the messages.
  std::size_t max_in_flight = 10000;
  // What is kept ahead of a gap while the peer repairs it. The real agent keeps sending new
  // data while it resends one lost message per 100 ms; whatever does not fit here is dropped
  // unacknowledged and costs another resend later, so it is generous (SSM_PLUGIN_RECEIVE_BUFFER_MIB).
  std::size_t receive_window_bytes = 64 * 1024 * 1024;
  std::size_t receive_window_messages = 100000;
  // How long the oldest message may stay unacked before the channel gives up (the
  // reference: 3000 resends x 100 ms).
  std::chrono::milliseconds resend_budget = std::chrono::minutes(5);
  RttConstants rtt;
  ResendPolicy resend = ResendPolicy::adaptive;
  std::chrono::milliseconds resend_tick{100};  // oldest_per_tick only
  // The agent marks its first data message with SYN (agent-side.md §1); the client never does.
  bool syn_on_first = false;
};

// Carries encoded frames to the peer. write_frame never fails synchronously; a broken
// transport is reported to whoever owns it, which then calls DataChannel::detach().
class FrameWriter {
 public:
  virtual void write_frame(Frame frame) = 0;
  // The transport already holds enough frames it has not yet written to the network: new
  // data messages wait in the send window (unwritten) until DataChannel::on_writer_ready().
  // Keeps the bytes in memory to one copy of the window, not a second copy in the transport.
  virtual bool congested() const { return false; }

 protected:
  ~FrameWriter() = default;
};

enum class Delivery {
  accepted,   // consumed: ack it and move on
  not_ready,  // keep it and do not ack; DataChannel::retry_delivery() tries again
};

class ChannelHandler {
 public:
  // One in-order data message (any payload type).
  virtual Delivery on_data(const wire::ClientMessage& message) = 0;
  // The messages on_data accepted since the last call are all there is for now: the
  // transport waits for the network (DataChannel::end_of_received_batch), a retried delivery
  // ended, or the channel is closing. A handler that gathers what on_data gives (one local
  // write per batch instead of one per message) writes it out here.
  virtual void on_delivery_end() {}
  virtual void on_channel_closed(const wire::ChannelClosed& closed) = 0;
  // The send window has room again after has_send_space() was false.
  virtual void on_send_space() = 0;
  // Every message sent so far has been acknowledged.
  virtual void on_all_acknowledged() {}
  // The channel gave up: resend budget exhausted (std::errc::timed_out), or the peer's data
  // could not be read (protocol_error). It sends nothing more.
  virtual void on_channel_failed(std::error_code ec, std::string_view reason) = 0;

 protected:
  ~ChannelHandler() = default;
};

struct ChannelStats {
  std::uint64_t data_sent = 0;
  std::uint64_t data_received = 0;
  std::uint64_t retransmissions = 0;
  std::uint64_t fast_retransmissions = 0;  // of which: resent because later acks showed a loss
  std::uint64_t acks_sent = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t dropped_invalid = 0;  // frames that failed decoding
};

// The payload types a session cipher transforms, in either direction (§2.5): the plugin
// only ever sends Output of them, the agent only ever receives Output.
constexpr bool is_session_data(wire::PayloadType type) {
  return type == wire::PayloadType::output || type == wire::PayloadType::stderr_data ||
         type == wire::PayloadType::exit_code;
}

class DataChannel {
 public:
  DataChannel(boost::asio::any_io_executor ex, ChannelConfig config, FrameWriter& writer, ChannelHandler& handler);
  DataChannel(const DataChannel&) = delete;
  DataChannel& operator=(const DataChannel&) = delete;

  // A frame from the transport. Invalid frames are counted and dropped (never acked).
  // Frames come in batches (all that one read of the transport brought); the transport ends
  // each with end_of_received_batch(), which the handler hears as on_delivery_end().
  void on_frame(std::span<const std::uint8_t> frame);
  void end_of_received_batch() { settle_delivery(); }

  // Sends one data message; Output payloads longer than kMaxPayload are split. Never drops:
  // when the window is full the message still goes in, and has_send_space() tells the caller
  // to stop reading its source until on_send_space().
  void send(wire::PayloadType type, std::span<const std::uint8_t> payload);
  bool has_send_space() const {
    return window_.bytes() < config_.send_window_bytes && window_.size() < config_.max_in_flight && !journal_.full();
  }
  // True when every sent message has been acknowledged (and no input is held back).
  bool all_acknowledged() const { return window_.empty() && !journal_.has_held(); }

  // Input an agent that hand-shakes throws away or stalls on (see InputJournal): from
  // hold_input() on, input is kept and not sent; release_input() sends what is held and keeps
  // recording copies of what is sent; replay_input() sends everything kept (copies and held)
  // as new messages (after HandshakeComplete); forget_input() stops the journal, dropping the
  // copies (the agent started without a handshake: what it was sent, it has).
  void hold_input() { journal_.start_holding(); }
  void release_input();
  void replay_input();
  void forget_input();
  bool holding_input() const { return journal_.holding(); }

  // The writer went away (connection lost) / came back: while detached nothing is written
  // and no retransmission timer runs; attach() resends every unacked message at once.
  void detach();
  void attach();
  // The writer wrote some of what it held (see FrameWriter::congested): messages waiting
  // unwritten go now, as far as it takes them.
  void on_writer_ready() { write_queued(); }
  bool attached() const { return attached_; }

  // pause_publication / start_publication from the service (also callable directly).
  void pause();
  void resume_publication();

  // The handler became ready after answering not_ready. Works after close() too: data that
  // was acknowledged must still reach the handler (channel_closed can overtake it).
  void retry_delivery();
  // True while received, acknowledged data waits for the handler.
  bool has_deliverable() const { return pending_.has_value() || receive_.has_next(); }

  // From now on session data is sealed when sent and opened when delivered (messages already
  // numbered stay as they were). A payload that does not open fails the channel.
  void set_cipher(std::unique_ptr<crypto::SessionCipher> cipher) { cipher_ = std::move(cipher); }
  crypto::SessionCipher* cipher() { return cipher_.get(); }

  // Stops the timer; nothing is sent or received afterwards (delivery of what was received
  // goes on through retry_delivery).
  void close();

  const ChannelStats& stats() const { return stats_; }
  const RttEstimator& rtt() const { return window_.rtt(); }
  std::int64_t next_outgoing_sequence() const { return next_seq_; }
  std::int64_t expected_incoming_sequence() const { return receive_.expected(); }

 private:
  // send() past the journal: Output split into kMaxPayload pieces.
  void send_now(wire::PayloadType type, std::span<const std::uint8_t> payload);
  void send_one(wire::PayloadType type, std::span<const std::uint8_t> payload);
  // on_send_space() for a handler that waits for it, when there is room again.
  void wake_sender_if_space();
  void write_entry(SendWindow::Entry& e, Clock::time_point now);
  void on_ack(const wire::ClientMessage& m);
  void on_data(wire::ClientMessage& m);
  void deliver_in_order();
  // Ends the current delivery batch: on_delivery_end() if anything was delivered.
  void settle_delivery();
  // Opens a session-data payload in place when a cipher is set; false (the channel failed)
  // when it does not open.
  bool open_payload(wire::ClientMessage& m);
  void send_ack(const wire::ClientMessage& m);
  // The retransmission timer: when the oldest written message is due (adaptive), or the
  // next tick (oldest_per_tick); nullopt when nothing written waits for an ack.
  std::optional<Clock::time_point> retransmit_due(Clock::time_point now);
  void arm_timer(Clock::time_point deadline);
  void on_timer();
  void fast_retransmit(const std::vector<std::int64_t>& lost);
  // After a timeout, each ack of the oldest sends the next one written before it (RFC 6582's
  // partial acks): a burst of losses, or of lost acks, is repaired at one message per RTT
  // instead of one per RTO.
  void continue_recovery(Clock::time_point now);
  // Writes every message in the window, sent or not (a new connection: the old one may
  // have swallowed any of them).
  void write_all();
  // Writes the messages never written, oldest first, while the writer takes them.
  void write_queued();
  bool can_write() const { return attached_ && !paused_ && !closed_; }
  // `ec`: timed_out for the resend budget, protocol_error for what the peer sent.
  void fail(std::string_view reason, std::errc ec = std::errc::protocol_error);

  ChannelConfig config_;
  FrameWriter& writer_;
  ChannelHandler& handler_;
  boost::asio::steady_timer timer_;
  Clock::time_point timer_expiry_{};  // when the armed timer fires; {} when not armed
  Clock::time_point progress_{};      // when the oldest unacked message last changed (acked)
  Clock::time_point recovery_point_{};  // a timeout's time, while repairing what preceded it
  std::vector<std::int64_t> lost_;    // scratch for SendWindow::acknowledge
  // After a duplicate arrives (our ack was lost), this many acks go out twice. A clean path
  // never sends a second copy.
  static constexpr int kAckEchoesAfterDuplicate = 1024;
  int ack_echoes_left_ = 0;
  SendWindow window_;
  ReceiveWindow receive_;
  std::int64_t next_seq_ = 0;
  bool attached_ = true;
  bool paused_ = false;
  bool closed_ = false;
  bool space_wanted_ = false;  // the handler saw a full window and waits for on_send_space
  bool delivering_ = false;    // re-entrancy guard for deliver_in_order
  bool receiving_batch_ = false;   // frames arrived; the transport's end_of_received_batch follows
  bool delivered_unsettled_ = false;  // on_data accepted messages since the last on_delivery_end
  int consecutive_invalid_ = 0;
  std::optional<wire::ClientMessage> pending_;  // the expected message, awaiting delivery (opened)
  bool pending_acked_ = false;  // pending_ came from the buffer, acked when it arrived
  std::unique_ptr<crypto::SessionCipher> cipher_;  // set once KMS encryption is on
  InputJournal journal_;
  ChannelStats stats_;
};

}  // namespace ssm::channel
