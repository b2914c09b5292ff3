// lib/channel — the send side of the reliable channel: every outgoing data message stays here
// from its first send until its ack. It keeps the bytes in flight (the channel's back-pressure
// bound), the RTT estimate (Karn's rule: samples only from messages sent once), and spots
// losses early: the peer acknowledges every message it receives, in order or not, so a message
// still unacknowledged after kFastRetransmitAcks later ones were acknowledged is lost, and is
// resent at once rather than after a timeout (fast retransmit, as TCP with SACK).
// Pure logic: the caller passes the time and writes the frames it is given.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "channel/rtt_estimator.h"

namespace ssm::channel {

using Frame = std::shared_ptr<const std::vector<std::uint8_t>>;

class SendWindow {
 public:
  struct Entry {
    std::int64_t sequence_number;
    Frame frame;                       // resent byte for byte (same id, date, digest)
    Clock::time_point first_sent{};    // first write; time_point{} while held (paused/detached)
    Clock::time_point last_sent{};     // latest write
    std::uint32_t transmissions = 0;   // 0: queued but never written
    std::uint32_t later_acks = 0;      // acks of messages sent after this one's latest write
  };

  // Three, as TCP's duplicate-ack threshold: fewer would resend messages that were only
  // reordered on the way.
  static constexpr std::uint32_t kFastRetransmitAcks = 3;

  explicit SendWindow(RttConstants constants = {}) : rtt_(constants) {}

  void push(std::int64_t seq, Frame frame);
  // The oldest entry never written (nullptr when none). Entries are written in order, so
  // the unwritten ones are always the newest.
  Entry* first_unsent() { return unsent_ == 0 ? nullptr : &entries_[entries_.size() - unsent_]; }

  // Marks the entry written now.
  void mark_sent(Entry& e, Clock::time_point now);

  // Removes the entry with this sequence number; feeds the estimator when the entry was sent
  // exactly once (Karn). Adds to `lost` the sequence numbers of earlier entries that this ack
  // shows to be lost (see kFastRetransmitAcks), each once per transmission. Returns false for
  // an unknown (already acked) number.
  bool acknowledge(std::int64_t seq, Clock::time_point now, std::vector<std::int64_t>* lost = nullptr);

  std::deque<Entry>& entries() { return entries_; }
  const std::deque<Entry>& entries() const { return entries_; }
  Entry* find(std::int64_t seq);
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::size_t bytes() const { return bytes_; }  // frames held, sent or not

  // The oldest entry that was written, if any (nullptr when none).
  Entry* oldest_sent();
  const RttEstimator& rtt() const { return rtt_; }
  void back_off() { rtt_.back_off(); }

 private:
  std::deque<Entry> entries_;  // ascending sequence numbers
  std::size_t bytes_ = 0;
  std::size_t unsent_ = 0;  // entries never written: the last unsent_ of entries_
  RttEstimator rtt_;
};

}  // namespace ssm::channel
