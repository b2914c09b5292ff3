// lib/channel — owns the reliable data channel above lib/wire: sequence numbers, the send
// window with retransmission, the receive window with reordering, acknowledgements, the
// handshake and pause/start publication (protocol.md §5–6, design.md "The reliable channel").
// It knows nothing of terminals, ports or how frames travel (a FrameWriter carries them).
//
// This file: the RFC 6298 round-trip estimator with the reference's constants (§5.4).
#pragma once

#include <chrono>

namespace ssm::channel {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::nanoseconds;

struct RttConstants {
  Duration initial_rtt = std::chrono::milliseconds(100);
  Duration initial_rto = std::chrono::milliseconds(200);
  Duration clock_granularity = std::chrono::milliseconds(10);  // floor of the variance term
  // Floor of the RTO, as Linux TCP's 200 ms: without it the RTO settles near RTT + 10 ms, and
  // any queueing on the path (or a peer that acks a batch at once) fires spurious resends.
  // The reference has none (protocol.md §5.4); 0 restores its formula exactly.
  Duration min_rto = std::chrono::milliseconds(200);
  Duration max_rto = std::chrono::seconds(1);
};

class RttEstimator {
 public:
  explicit RttEstimator(RttConstants c = {});

  // One sample from a message that was sent once (Karn's rule: the caller never feeds a
  // sample from a retransmitted message, whose ack is ambiguous).
  void add_sample(Duration measured);

  // A retransmission timeout expired (RFC 6298 §5.5): double RTO until a clean sample
  // arrives. Without this, a path whose RTT grew would see every message resent, and Karn's
  // rule would then discard every sample that could correct the estimate.
  void back_off();

  Duration rtt() const { return rtt_; }
  Duration rttvar() const { return rttvar_; }
  Duration rto() const { return rto_; }

 private:
  RttConstants c_;
  Duration rtt_;
  Duration rttvar_{0};
  Duration rto_;
};

}  // namespace ssm::channel
