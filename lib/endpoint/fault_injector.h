// lib/endpoint — the per-frame faults of one session (--drop-out, --drop-in, --duplicate,
// --reorder, --corrupt), decided frame by frame from a seeded PRNG so that a run can be
// repeated, and the single losses of --drop-nth-out / --drop-nth-in. It only decides and
// rewrites frames, and counts what it did for the session's end line; timing (--delay) is the
// DelayLine's, and the counter-driven events (disconnect, pause, freeze) are the AgentSession's.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "channel/send_window.h"
#include "endpoint/config.h"

namespace ssm::endpoint {

// What the injector did to data messages and acknowledgements, each way ("in": client ->
// agent). With these and the agent's ChannelStats the bench tells necessary resends (one per
// lost data frame or lost ack) from spurious ones.
struct FaultCounts {
  std::uint64_t dropped_data_in = 0, dropped_data_out = 0;
  std::uint64_t dropped_acks_in = 0, dropped_acks_out = 0;
  std::uint64_t copied_data_in = 0, copied_data_out = 0;  // data frames delivered twice
};

// --drop-nth-in / --drop-nth-out: the Nth data frame that way (first sends and resends alike,
// counted from 1) is lost, once; then the first copy with its sequence number to pass the
// injector the same way is its repair.
struct SingleDrop {
  long nth = 0;                // 0: off
  long seen = 0;               // data frames that passed so far
  std::int64_t sequence = -1;  // of the lost frame, once lost
  std::chrono::steady_clock::time_point lost_at;
  std::optional<std::chrono::nanoseconds> repaired_after;  // lost_at until its repair passed

  // True when `sequence` (of a data frame passing now) is to be lost.
  bool lose(std::int64_t sequence, std::chrono::steady_clock::time_point now);
};

class FaultInjector {
 public:
  explicit FaultInjector(const Faults& faults) : faults_(faults), state_(faults.seed) {
    drop_nth_in_.nth = faults.drop_nth_in;
    drop_nth_out_.nth = faults.drop_nth_out;
  }

  // True `percent` times in 100, reproducibly for a given seed.
  bool roll(int percent);
  // Flips one payload byte (offset 120 on) so that the frame's SHA-256 digest no longer
  // matches. False, and nothing changed, for a frame without payload.
  bool corrupt(std::vector<std::uint8_t>& frame);

  // Agent -> client: calls send(frame) for each frame to write now, in order: none (lost),
  // one, two (duplicated, or the frame held back by the previous reorder behind this one).
  template <typename Send>
  void outgoing(channel::Frame frame, Send&& send);
  // Client -> agent, before the DataChannel sees the frame: deliver(span) zero to two times.
  template <typename Deliver>
  void incoming(std::span<const std::uint8_t> frame, Deliver&& deliver);

  // The connection went away: a frame held back for reordering belonged to it.
  void forget_held() { held_.reset(); }
  std::uint64_t injected() const { return injected_; }
  const FaultCounts& counts() const { return counts_; }
  const SingleDrop& drop_nth_in() const { return drop_nth_in_; }
  const SingleDrop& drop_nth_out() const { return drop_nth_out_; }

 private:
  enum class Kind { data, ack, other };
  static Kind kind_of(std::span<const std::uint8_t> frame);
  // The first decision on every frame: lost (--drop-nth-*, then --drop-in / --drop-out) or not.
  bool lose(std::span<const std::uint8_t> frame, bool incoming);
  void count_copy(std::span<const std::uint8_t> frame, bool incoming);
  bool fault(int percent) {
    if (!roll(percent)) return false;
    ++injected_;
    return true;
  }
  std::uint64_t next();

  Faults faults_;
  std::uint64_t state_;  // splitmix64
  std::uint64_t injected_ = 0;
  FaultCounts counts_;
  SingleDrop drop_nth_in_, drop_nth_out_;
  channel::Frame held_;  // reordering: goes out right after the next frame
  std::vector<std::uint8_t> scratch_;
};

template <typename Send>
void FaultInjector::outgoing(channel::Frame frame, Send&& send) {
  if (lose(*frame, false)) return;
  if (faults_.corrupt > 0 && roll(faults_.corrupt)) {
    auto copy = std::make_shared<std::vector<std::uint8_t>>(*frame);
    if (corrupt(*copy)) {
      ++injected_;
      frame = std::move(copy);
    }
  }
  if (!held_ && fault(faults_.reorder)) {
    held_ = std::move(frame);
    return;
  }
  send(frame);
  if (held_) send(std::exchange(held_, nullptr));
  if (fault(faults_.duplicate)) {
    count_copy(*frame, false);
    send(frame);
  }
}

template <typename Deliver>
void FaultInjector::incoming(std::span<const std::uint8_t> frame, Deliver&& deliver) {
  if (lose(frame, true)) return;
  if (faults_.corrupt > 0 && roll(faults_.corrupt)) {
    scratch_.assign(frame.begin(), frame.end());
    if (corrupt(scratch_)) {
      ++injected_;
      deliver(std::span<const std::uint8_t>(scratch_));
      return;  // the copy that follows a corrupted one would be a clean retransmission
    }
  }
  deliver(frame);
  if (fault(faults_.duplicate)) {
    count_copy(frame, true);
    deliver(frame);
  }
}

}  // namespace ssm::endpoint
