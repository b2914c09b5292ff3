// lib/channel — the send side of the reliable channel: every outgoing data message stays here
// from its first send until its ack, and is resent when its retransmission timeout expires.
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
    Clock::time_point deadline{};      // when the next retransmission is due
    std::uint32_t transmissions = 0;   // 0: queued but never written
  };

  explicit SendWindow(RttConstants constants = {}) : rtt_(constants) {}

  void push(std::int64_t seq, Frame frame) { entries_.push_back({seq, std::move(frame)}); }

  // Marks the entry written now, arming its timeout: RTO doubled per earlier transmission
  // (exponential backoff), capped at max_rto.
  void mark_sent(Entry& e, Clock::time_point now);

  // Removes the entry with this sequence number; feeds the estimator when the entry was sent
  // exactly once (Karn). Returns false for an unknown (already acked) number.
  bool acknowledge(std::int64_t seq, Clock::time_point now);

  std::deque<Entry>& entries() { return entries_; }
  const std::deque<Entry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // The earliest retransmission deadline among written entries, if any.
  std::optional<Clock::time_point> next_deadline() const;
  const RttEstimator& rtt() const { return rtt_; }
  void back_off() { rtt_.back_off(); }

 private:
  std::deque<Entry> entries_;  // ascending sequence numbers
  RttEstimator rtt_;
};

}  // namespace ssm::channel
