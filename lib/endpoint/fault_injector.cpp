#include "endpoint/fault_injector.h"

#include "wire/client_message.h"

namespace ssm::endpoint {

std::uint64_t FaultInjector::next() {
  // splitmix64: tiny state, fast, and the same sequence on every platform for a seed.
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

bool FaultInjector::roll(int percent) {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  return next() % 100 < static_cast<std::uint64_t>(percent);
}

bool FaultInjector::corrupt(std::vector<std::uint8_t>& frame) {
  if (frame.size() <= wire::kPayloadOffset) return false;
  const std::size_t payload = frame.size() - wire::kPayloadOffset;
  frame[wire::kPayloadOffset + next() % payload] ^= 0x20;
  return true;
}

}  // namespace ssm::endpoint
