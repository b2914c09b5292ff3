#include "endpoint/fault_injector.h"

#include <algorithm>
#include <string_view>

#include "wire/client_message.h"

namespace ssm::endpoint {
namespace {

// Header fields read in place (protocol.md §3): decoding every frame would check its digest.
constexpr std::size_t kMessageTypeOffset = 4;
constexpr std::size_t kSequenceNumberOffset = 48;

bool has_type(std::span<const std::uint8_t> frame, std::string_view type) {
  if (frame.size() < kMessageTypeOffset + wire::kMessageTypeLength) return false;
  const auto* p = frame.data() + kMessageTypeOffset;
  return std::equal(type.begin(), type.end(), p) &&
         (type.size() == wire::kMessageTypeLength || p[type.size()] == ' ' || p[type.size()] == 0);
}

std::int64_t sequence_of(std::span<const std::uint8_t> frame) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = v << 8 | frame[kSequenceNumberOffset + i];
  return static_cast<std::int64_t>(v);
}

}  // namespace

bool SingleDrop::lose(std::int64_t seq, std::chrono::steady_clock::time_point now) {
  if (nth <= 0) return false;
  if (sequence < 0) {
    if (++seen < nth) return false;
    sequence = seq;
    lost_at = now;
    return true;
  }
  if (seq == sequence && !repaired_after) repaired_after = now - lost_at;
  return false;
}

FaultInjector::Kind FaultInjector::kind_of(std::span<const std::uint8_t> frame) {
  if (has_type(frame, wire::message_type::input_stream_data) || has_type(frame, wire::message_type::output_stream_data))
    return Kind::data;
  if (has_type(frame, wire::message_type::acknowledge)) return Kind::ack;
  return Kind::other;
}

bool FaultInjector::lose(std::span<const std::uint8_t> frame, bool incoming) {
  const Kind kind = kind_of(frame);
  SingleDrop& single = incoming ? drop_nth_in_ : drop_nth_out_;
  bool lost = kind == Kind::data && single.nth > 0 && single.lose(sequence_of(frame), std::chrono::steady_clock::now());
  if (lost) ++injected_;
  else lost = fault(incoming ? faults_.drop_in : faults_.drop_out);
  if (!lost) return false;
  if (kind == Kind::data) ++(incoming ? counts_.dropped_data_in : counts_.dropped_data_out);
  if (kind == Kind::ack) ++(incoming ? counts_.dropped_acks_in : counts_.dropped_acks_out);
  return true;
}

void FaultInjector::count_copy(std::span<const std::uint8_t> frame, bool incoming) {
  if (kind_of(frame) == Kind::data) ++(incoming ? counts_.copied_data_in : counts_.copied_data_out);
}

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
