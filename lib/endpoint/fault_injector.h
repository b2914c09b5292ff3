// lib/endpoint — the per-frame faults of one session (--drop-out, --drop-in, --duplicate,
// --reorder, --corrupt), decided frame by frame from a seeded PRNG so that a run can be
// repeated. It only decides and rewrites frames; timing (--delay) is the DelayLine's, and the
// counter-driven events (disconnect, pause, freeze) are the AgentSession's.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "channel/send_window.h"
#include "endpoint/config.h"

namespace ssm::endpoint {

class FaultInjector {
 public:
  explicit FaultInjector(const Faults& faults) : faults_(faults), state_(faults.seed) {}

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

 private:
  bool fault(int percent) {
    if (!roll(percent)) return false;
    ++injected_;
    return true;
  }
  std::uint64_t next();

  Faults faults_;
  std::uint64_t state_;  // splitmix64
  std::uint64_t injected_ = 0;
  channel::Frame held_;  // reordering: goes out right after the next frame
  std::vector<std::uint8_t> scratch_;
};

template <typename Send>
void FaultInjector::outgoing(channel::Frame frame, Send&& send) {
  if (fault(faults_.drop_out)) return;
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
  if (fault(faults_.duplicate)) send(frame);
}

template <typename Deliver>
void FaultInjector::incoming(std::span<const std::uint8_t> frame, Deliver&& deliver) {
  if (fault(faults_.drop_in)) return;
  if (faults_.corrupt > 0 && roll(faults_.corrupt)) {
    scratch_.assign(frame.begin(), frame.end());
    if (corrupt(scratch_)) {
      ++injected_;
      deliver(std::span<const std::uint8_t>(scratch_));
      return;  // the copy that follows a corrupted one would be a clean retransmission
    }
  }
  deliver(frame);
  if (fault(faults_.duplicate)) deliver(frame);
}

}  // namespace ssm::endpoint
