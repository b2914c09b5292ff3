// lib/endpoint — decides, frame by frame and reproducibly (seeded), which faults to inject.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "endpoint/config.h"

namespace ssm::endpoint {

class FaultInjector {
 public:
  explicit FaultInjector(const Faults& faults) : faults_(faults), rng_(faults.seed) {}

  bool roll(int percent) {
    if (percent <= 0) return false;
    if (percent >= 100) return true;
    return static_cast<int>(rng_() % 100) < percent;
  }
  // Flips one byte of the payload (offset 120 on) so the SHA-256 digest no longer matches.
  // Frames without a payload get a header byte flipped instead.
  void corrupt(std::vector<std::uint8_t>& frame) {
    const std::size_t from = frame.size() > 120 ? 120 : 0;
    if (frame.size() <= from) return;
    frame[from + rng_() % (frame.size() - from)] ^= 0x20;
  }

  const Faults& faults() const { return faults_; }
  std::uint64_t injected = 0;

 private:
  Faults faults_;
  std::mt19937 rng_;
};

}  // namespace ssm::endpoint
