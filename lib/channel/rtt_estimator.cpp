#include "channel/rtt_estimator.h"

#include <algorithm>

namespace ssm::channel {

RttEstimator::RttEstimator(RttConstants c) : c_(c), rtt_(c.initial_rtt), rto_(c.initial_rto) {}

void RttEstimator::add_sample(Duration r) {
  // α = 1/8, β = 1/4; RTTVAR uses the old RTT (RFC 6298 §2.3).
  const Duration deviation = rtt_ > r ? rtt_ - r : r - rtt_;
  rttvar_ = (rttvar_ * 3 + deviation) / 4;
  rtt_ = (rtt_ * 7 + r) / 8;
  rto_ = std::clamp(rtt_ + std::max(c_.clock_granularity, 4 * rttvar_), c_.min_rto, c_.max_rto);
}

void RttEstimator::back_off() { rto_ = std::min(rto_ * 2, c_.max_rto); }

}  // namespace ssm::channel
